// What the dashboard drew from documents (today, a night, the trends), kept until a document changes. A morning's
// visits, a second tab or a household's members reading the same view draw it once; the first view after a change
// pays the full render. Keys say everything the drawing depends on besides documents (who, which days, today).

export interface RenderCache {
  /** The drawing for `key` made while the documents stood at `version`, else `draw()`'s, kept for next time. */
  get(key: string, version: number, draw: () => Promise<string>): Promise<string>;
}

/** Room for a household's views (a 90-day trends section is ≈ 450 KB); the least recently used go first. */
const MOST_CHARACTERS = 8_000_000;

export function createRenderCache(most = MOST_CHARACTERS): RenderCache {
  const entries = new Map<string, { version: number; text: string }>();
  let size = 0;
  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    size -= entry.text.length;
    entries.delete(key);
  };
  return {
    async get(key, version, draw) {
      const entry = entries.get(key);
      if (entry && entry.version === version) {
        // Most recently used last.
        entries.delete(key);
        entries.set(key, entry);
        return entry.text;
      }
      drop(key);
      const text = await draw();
      if (text.length > most) return text;
      entries.set(key, { version, text });
      size += text.length;
      for (const oldest of entries.keys()) {
        if (size <= most) break;
        drop(oldest);
      }
      return text;
    },
  };
}
