// The one HTML escape for text put into markup by hand (hono/html and JSX escape their own interpolations).
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
