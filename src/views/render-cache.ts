// What the dashboard drew from documents (today, a night, the trends), kept per view until what it was drawn from
// changes — and drawn again ahead of time: views used lately are redrawn soon after their documents change (a ring's
// morning sync arrives before its wearer opens the page), so a visit finds them ready. Keys say everything a drawing
// depends on besides documents (whose view, which days, today); the version says which documents it saw.

export interface RenderCache {
  /** The drawing for `key` if it was made from the documents as they are now (`versionOf()`), else `draw()`'s, kept. */
  get(key: string, versionOf: () => number, draw: () => Promise<string>): Promise<string>;
  /** Redraws the views used in the last day whose documents changed since they were drawn, oldest use first. */
  redrawChanged(): Promise<number>;
}

/** Room for a household's views (a 90-day trends section is ≈ 450 KB); the least recently used go first. */
const MOST_CHARACTERS = 8_000_000;
/** Views not opened for this long are not redrawn ahead (they are still kept until room is needed). */
const RECENT_MS = 24 * 3_600_000;
/** Redraws per run at most: a burst of changes for a household is spread over a few runs. */
const MOST_REDRAWS = 12;

interface Entry {
  version: number;
  text: string;
  usedAt: number;
  versionOf: () => number;
  draw: () => Promise<string>;
}

export function createRenderCache(now: () => number, most = MOST_CHARACTERS): RenderCache {
  const entries = new Map<string, Entry>();
  let size = 0;
  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    size -= entry.text.length;
    entries.delete(key);
  };
  const keep = (key: string, entry: Entry) => {
    drop(key);
    if (entry.text.length > most) return;
    entries.set(key, entry);
    size += entry.text.length;
    for (const oldest of entries.keys()) {
      if (size <= most) break;
      drop(oldest);
    }
  };
  return {
    async get(key, versionOf, draw) {
      const version = versionOf();
      const entry = entries.get(key);
      if (entry && entry.version === version) {
        // Most recently used last.
        entries.delete(key);
        entries.set(key, { ...entry, usedAt: now() });
        return entry.text;
      }
      const text = await draw();
      keep(key, { version, text, usedAt: now(), versionOf, draw });
      return text;
    },

    async redrawChanged() {
      const since = now() - RECENT_MS;
      let redrawn = 0;
      for (const [key, entry] of [...entries]) {
        if (redrawn >= MOST_REDRAWS) break;
        if (entry.usedAt < since || entries.get(key) !== entry) continue;
        const version = entry.versionOf();
        if (version === entry.version) continue;
        const text = await entry.draw();
        // Used meanwhile and redrawn by that request: keep the newer.
        if (entries.get(key) !== entry) continue;
        keep(key, { ...entry, version, text });
        redrawn++;
      }
      return redrawn;
    },
  };
}
