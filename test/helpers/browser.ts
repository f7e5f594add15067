// Just enough of a browser for OAuth tests: follows redirects by hand and keeps cookies per host.
export class CookieJar {
  readonly #cookies = new Map<string, Map<string, string>>();

  header(url: URL): string {
    return [...(this.#cookies.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = pair!.split("=");
      const jar = this.#cookies.get(url.host) ?? new Map<string, string>();
      const value = rest.join("=");
      if (/max-age=0/i.test(line) || value === "") jar.delete(name!.trim());
      else jar.set(name!.trim(), value);
      this.#cookies.set(url.host, jar);
    }
  }

  get(host: string, name: string): string | undefined {
    return this.#cookies.get(host)?.get(name);
  }
}

export interface Visit {
  response: Response;
  url: URL;
}

/** GETs a URL and follows redirects across hosts (server ↔ fake Oura), keeping cookies; stops at `stopAt` paths. */
export async function browse(jar: CookieJar, start: string | URL, stopAt: string[] = []): Promise<Visit> {
  let url = new URL(start);
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header(url) } });
    jar.store(url, response);
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) return { response, url };
    const next = new URL(location, url);
    if (stopAt.includes(next.pathname)) return { response, url: next };
    url = next;
  }
  throw new Error("too many redirects");
}
