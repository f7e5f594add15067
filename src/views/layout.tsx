/** @jsxImportSource hono/jsx */
// The one page skeleton every HTML page uses, and the one place a page becomes a document (the doctype).
// All markup in src/views is hono/jsx: text and attribute values are escaped by the renderer, never by hand.
import type { Child } from "hono/jsx";
import type { JSX } from "hono/jsx/jsx-runtime";

/** What a component renders to: pass it to c.html() as it is, or to htmlDocument() for a whole page. */
export type Markup = JSX.Element;

export function Layout(props: { title: string; csrf?: string | null; scripts?: boolean; children: Child }) {
  // htmx 4 has no implicit inheritance: the CSRF header is declared inherited on <body> for every request.
  const bodyAttributes = props.csrf ? { "hx-headers:inherited": JSON.stringify({ "X-CSRF-Token": props.csrf }) } : {};
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/dashboard.css" />
        {props.scripts ? (
          <>
            <script src="/static/htmx.min.js"></script>
            <script src="/static/hx-ws.min.js"></script>
            <script src="/static/dashboard.js" defer></script>
          </>
        ) : null}
      </head>
      <body {...bodyAttributes}>{props.children}</body>
    </html>
  );
}

/** A full page (a <Layout>) as a response body. Components here are synchronous, so rendering is too. */
export function htmlDocument(page: Markup): string {
  return `<!doctype html>${page.toString()}`;
}

/** A failure shown in place of what was asked for. */
export function ErrorNote(props: { message: string }) {
  return (
    <p class="error" role="alert">
      {props.message}
    </p>
  );
}
