// Also the built-in Oura of `oura-streaming demo`.
// A fake Oura that speaks the real protocol over HTTP on 127.0.0.1: OAuth2 (authorize, token with rotating single-use
// refresh tokens, revoke), personal_info, usercollection single and list routes, 429 with Retry-After, and the webhook
// subscription API including the verification handshake it makes to the subscriber's callback.
import { listFamily } from "../oura/data-types.ts";
import { createSignatureSigner } from "../oura/signature.ts";

export interface FakeOuraOptions {
  clientId?: string;
  clientSecret?: string;
  accessTokenSeconds?: number;
  /** Page size of list routes (small, so pagination is exercised). */
  pageSize?: number;
  /** How long each usercollection request takes, as over a real network (benchmarks). */
  documentDelayMs?: number;
  /** Oura's per-application rate limit: at most `requests` API requests per `windowMs`, then 429 with Retry-After. */
  rateLimit?: { requests: number; windowMs: number };
  /** Answer any document id with a made-up document instead of 404 (benchmarks, where notifications name new ids). */
  inventDocuments?: boolean;
}

interface TokenRecord {
  userId: string;
  expiresAt: number;
  revoked: boolean;
}

interface Subscription {
  id: string;
  callback_url: string;
  event_type: string;
  data_type: string;
  expiration_time: string;
  verification_token: string;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
/** A plausible daily document for an id nobody put: a score that varies with the id. */
function inventedDocument(id: string): Record<string, unknown> {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return { id, day: new Date().toISOString().slice(0, 10), score: 60 + (hash % 35), timestamp: new Date().toISOString() };
}

const random = () => Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url");

export class FakeOura {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly users = new Map<string, { email: string }>();
  /** Documents by user → data type path → id. */
  readonly documents = new Map<string, Map<string, Map<string, Record<string, unknown>>>>();
  readonly accessTokens = new Map<string, TokenRecord>();
  /** Current refresh token per user; every other refresh token ever issued is spent. */
  readonly currentRefresh = new Map<string, string>();
  readonly spentRefresh = new Set<string>();
  readonly codes = new Map<string, { userId: string; redirectUri: string; used: boolean; expiresAt: number }>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly counters = { refreshReuse: 0, refreshes: 0, codeExchanges: 0, documentRequests: 0, revocations: 0, handshakesFailed: 0, rateLimited: 0 };
  /** Who "signs in" at the next authorize call. */
  nextAuthorizeUser = "USER-A";
  denyNextAuthorize = false;
  /** Responses to force on the next usercollection requests, in order. */
  readonly forcedResponses: { status: number; headers?: Record<string, string> }[] = [];
  /** Fields the next personal_info answers carry instead, one each (odd shapes: a number for an email, no id). */
  readonly personalInfoOverrides: Record<string, unknown>[] = [];
  /** Statuses the next revokes answer with, one each (an outage of Oura's revoke). */
  readonly forcedRevokeStatuses: number[] = [];
  /**
   * Applied to the next token endpoint requests, in order: waits for `until` if given, then answers `status` if given,
   * else handles the request normally.
   */
  readonly forcedTokenResponses: { status?: number; headers?: Record<string, string>; until?: Promise<unknown> }[] = [];
  readonly requests: { method: string; path: string; query: string }[] = [];
  /** While set, every request (API, token endpoint, subscriptions) is answered with this status: Oura is down. */
  outage: number | undefined;
  /** Requests answered by the outage since it began. */
  requestsDuringOutage = 0;
  /** Heart-rate samples per user (a time series, listed by start_datetime/end_datetime). */
  readonly heartRate = new Map<string, { timestamp: string; bpm: number; source: string }[]>();
  private server?: ReturnType<typeof Bun.serve>;
  private readonly accessTokenSeconds: number;
  private readonly pageSize: number;
  private readonly options: FakeOuraOptions;
  private window = { startedAt: 0, used: 0 };

  constructor(options: FakeOuraOptions = {}) {
    this.clientId = options.clientId ?? "fake-client-id";
    this.clientSecret = options.clientSecret ?? "fake-client-secret-0123456789";
    this.accessTokenSeconds = options.accessTokenSeconds ?? 86_400;
    this.pageSize = options.pageSize ?? 2;
    this.options = options;
  }

  get url(): string {
    return this.server!.url.href.replace(/\/$/, "");
  }

  start(): this {
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => this.handle(request) });
    return this;
  }

  stop(): void {
    this.server?.stop(true);
  }

  /** Oura is down: every request is answered with `status` until endOutage(); requests are counted from now. */
  startOutage(status = 503): void {
    this.outage = status;
    this.requestsDuringOutage = 0;
  }

  endOutage(): void {
    this.outage = undefined;
  }

  /** Environment that points the server under test at this fake. */
  env(): Record<string, string> {
    return {
      OURA_CLIENT_ID: this.clientId,
      OURA_CLIENT_SECRET: this.clientSecret,
      OURA_API_BASE_URL: this.url,
      OURA_AUTH_URL: `${this.url}/oauth/authorize`,
      OURA_TOKEN_URL: `${this.url}/oauth/token`,
    };
  }

  addUser(userId: string, email = `${userId.toLowerCase()}@example.com`): void {
    this.users.set(userId, { email });
  }

  putDocument(userId: string, path: string, document: Record<string, unknown> & { id: string }): void {
    const byType = this.documents.get(userId) ?? new Map();
    const byId = byType.get(path) ?? new Map();
    byId.set(document.id, document);
    byType.set(path, byId);
    this.documents.set(userId, byType);
  }

  putHeartRate(userId: string, samples: { timestamp: string; bpm: number; source: string }[]): void {
    const byTime = new Map((this.heartRate.get(userId) ?? []).map((s) => [s.timestamp, s]));
    for (const sample of samples) if (!byTime.has(sample.timestamp)) byTime.set(sample.timestamp, sample);
    this.heartRate.set(userId, [...byTime.values()].sort((a, b) => a.timestamp.localeCompare(b.timestamp)));
  }

  /** Issues a token pair directly, as if the user had signed in elsewhere (for OURA_INITIAL_REFRESH_TOKEN). */
  issueTokens(userId: string) {
    return this.newTokenPair(userId);
  }

  expireAccessTokens(userId: string): void {
    for (const record of this.accessTokens.values()) if (record.userId === userId) record.expiresAt = 0;
  }

  /** Signs and POSTs a notification to a receiver, exactly as Oura delivers it. */
  async deliver(callbackUrl: string, notification: Record<string, unknown>, timestamp = Math.floor(Date.now() / 1000)) {
    const body = JSON.stringify(notification);
    const signer = await createSignatureSigner(this.clientSecret);
    const ts = String(timestamp);
    return fetch(callbackUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": await signer.sign(ts, body) },
      body,
    });
  }

  private newTokenPair(userId: string) {
    const access = `at-${random()}`;
    const refresh = `rt-${random()}`;
    this.accessTokens.set(access, { userId, expiresAt: Date.now() + this.accessTokenSeconds * 1000, revoked: false });
    const previous = this.currentRefresh.get(userId);
    if (previous) this.spentRefresh.add(previous);
    this.currentRefresh.set(userId, refresh);
    return { access_token: access, token_type: "bearer", expires_in: this.accessTokenSeconds, refresh_token: refresh, scope: "email personal daily" };
  }

  private bearerUser(request: Request): string | undefined {
    const token = request.headers.get("authorization")?.replace(/^Bearer\s+/i, "");
    const record = token ? this.accessTokens.get(token) : undefined;
    if (!record || record.revoked || record.expiresAt <= Date.now()) return undefined;
    return record.userId;
  }

  private clientAuthorized(request: Request): boolean {
    return request.headers.get("x-client-id") === this.clientId && request.headers.get("x-client-secret") === this.clientSecret;
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    this.requests.push({ method: request.method, path: url.pathname, query: url.search });
    if (this.outage !== undefined) {
      this.requestsDuringOutage++;
      return json({ detail: "Service Unavailable (outage)" }, this.outage);
    }
    const path = url.pathname;
    if (path === "/oauth/authorize") return this.authorize(url);
    if (path === "/oauth/token" && request.method === "POST") {
      const forced = this.forcedTokenResponses.shift();
      await forced?.until;
      if (forced?.status) return json({ detail: `forced ${forced.status}` }, forced.status, forced.headers);
      return this.token(await request.formData());
    }
    if (path === "/oauth/revoke") return this.revoke(url);
    if (path.startsWith("/v2/webhook/subscription")) return this.subscriptionRoute(request, url);
    if (path.startsWith("/v2/usercollection/")) return this.usercollection(request, url);
    return json({ detail: "Not Found" }, 404);
  }

  /** 429 once the application has used its requests of the current window, with the seconds left in Retry-After. */
  private rateLimited(): Response | undefined {
    const limit = this.options.rateLimit;
    if (!limit) return undefined;
    const now = Date.now();
    if (now - this.window.startedAt >= limit.windowMs) this.window = { startedAt: now, used: 0 };
    const remaining = limit.requests - this.window.used;
    const reset = Math.ceil((this.window.startedAt + limit.windowMs - now) / 1000);
    if (remaining <= 0) this.counters.rateLimited++;
    if (remaining <= 0) return json({ detail: "Rate limit exceeded" }, 429, { "retry-after": String(reset), "x-ratelimit-limit": String(limit.requests), "x-ratelimit-remaining": "0" });
    this.window.used++;
    return undefined;
  }

  private authorize(url: URL): Response {
    const redirect = new URL(url.searchParams.get("redirect_uri") ?? "");
    const state = url.searchParams.get("state");
    if (url.searchParams.get("client_id") !== this.clientId) return json({ detail: "invalid_client" }, 400);
    if (state) redirect.searchParams.set("state", state);
    if (this.denyNextAuthorize) {
      this.denyNextAuthorize = false;
      redirect.searchParams.set("error", "access_denied");
      redirect.searchParams.set("error_description", "The user denied access");
      return Response.redirect(redirect.href, 302);
    }
    const code = `code-${random()}`;
    this.codes.set(code, { userId: this.nextAuthorizeUser, redirectUri: url.searchParams.get("redirect_uri")!, used: false, expiresAt: Date.now() + 600_000 });
    if (!this.users.has(this.nextAuthorizeUser)) this.addUser(this.nextAuthorizeUser);
    redirect.searchParams.set("code", code);
    return Response.redirect(redirect.href, 302);
  }

  private token(form: FormData): Response {
    if (form.get("client_id") !== this.clientId || form.get("client_secret") !== this.clientSecret) {
      return json({ error: "invalid_client" }, 401);
    }
    const grant = form.get("grant_type");
    if (grant === "authorization_code") {
      const code = this.codes.get(String(form.get("code")));
      if (!code || code.used || code.expiresAt < Date.now()) return json({ error: "invalid_grant" }, 400);
      if (code.redirectUri !== form.get("redirect_uri")) return json({ error: "invalid_redirect_uri" }, 400);
      code.used = true;
      this.counters.codeExchanges++;
      return json(this.newTokenPair(code.userId));
    }
    if (grant === "refresh_token") {
      const presented = String(form.get("refresh_token"));
      if (this.spentRefresh.has(presented)) {
        this.counters.refreshReuse++;
        return json({ error: "invalid_grant", error_description: "refresh token already used" }, 400);
      }
      const userId = [...this.currentRefresh].find(([, token]) => token === presented)?.[0];
      if (!userId) return json({ error: "invalid_grant" }, 400);
      this.counters.refreshes++;
      return json(this.newTokenPair(userId));
    }
    return json({ error: "unsupported_grant_type" }, 400);
  }

  private revoke(url: URL): Response {
    const forced = this.forcedRevokeStatuses.shift();
    if (forced) return json({ detail: `forced ${forced}` }, forced);
    const record = this.accessTokens.get(url.searchParams.get("access_token") ?? "");
    if (!record || record.revoked) return json({ detail: "invalid token" }, 401);
    record.revoked = true;
    this.counters.revocations++;
    return json({}, 200);
  }

  private async usercollection(request: Request, url: URL): Promise<Response> {
    const limited = this.rateLimited();
    if (limited) return limited;
    if (this.options.documentDelayMs) await Bun.sleep(this.options.documentDelayMs);
    const forced = this.forcedResponses.shift();
    if (forced) return json({ detail: `forced ${forced.status}` }, forced.status, forced.headers);
    const userId = this.bearerUser(request);
    if (!userId) return json({ detail: "Unauthorized" }, 401);
    const [, , , type, id] = url.pathname.split("/");
    if (type === "personal_info") {
      const answer = { id: userId, email: this.users.get(userId)?.email ?? `${userId.toLowerCase()}@example.com`, age: 35, ...this.personalInfoOverrides.shift() };
      return json(answer);
    }
    const byId = this.documents.get(userId)?.get(type!) ?? new Map<string, Record<string, unknown>>();
    if (id) {
      this.counters.documentRequests++;
      const document = byId.get(decodeURIComponent(id)) ?? (this.options.inventDocuments ? inventedDocument(decodeURIComponent(id)) : undefined);
      return document ? json(document) : json({ detail: "Document not found" }, 404);
    }
    return this.list(userId, type!, url);
  }

  /**
   * A list route as Oura serves it: each family takes its own parameters (a wrong one is a 400, as Oura's validation
   * answers), `day` filtered inclusively for documents, instants for time series, pages linked by an opaque next_token.
   */
  private list(userId: string, path: string, url: URL): Response {
    const dataType = path === "vO2_max" ? "vo2_max" : path;
    const family = listFamily(dataType);
    const allowed = family === "dated" ? ["start_date", "end_date"] : family === "time_series" ? ["start_datetime", "end_datetime", "latest"] : [];
    for (const name of url.searchParams.keys()) {
      if (name === "next_token" || name === "fields" || allowed.includes(name)) continue;
      return json({ detail: [{ loc: ["query", name], msg: `${name} is not a parameter of /v2/usercollection/${path}`, type: "value_error" }] }, 400);
    }
    let all: Record<string, unknown>[];
    if (family === "time_series") {
      const from = Date.parse(url.searchParams.get("start_datetime") ?? "1970-01-01T00:00:00Z");
      const to = Date.parse(url.searchParams.get("end_datetime") ?? "9999-12-31T00:00:00Z");
      if (!Number.isFinite(from) || !Number.isFinite(to)) return json({ detail: [{ loc: ["query", "start_datetime"], msg: "invalid datetime", type: "value_error" }] }, 400);
      // Sorted by time: the range is found by bisection (a year of 5-minute samples is 105,000 of them).
      const series = this.heartRate.get(userId) ?? [];
      const firstAtOrAfter = (ms: number) => {
        let low = 0;
        let high = series.length;
        while (low < high) {
          const middle = (low + high) >> 1;
          if (Date.parse(series[middle]!.timestamp) < ms) low = middle + 1;
          else high = middle;
        }
        return low;
      };
      all = series.slice(firstAtOrAfter(from), firstAtOrAfter(to));
    } else {
      const start = url.searchParams.get("start_date") ?? "0000-01-01";
      const end = url.searchParams.get("end_date") ?? "9999-12-31";
      if (!/^\d{4}-\d{2}-\d{2}/.test(start) || !/^\d{4}-\d{2}-\d{2}/.test(end)) return json({ detail: [{ loc: ["query", "start_date"], msg: "invalid date", type: "value_error" }] }, 400);
      const byId = this.documents.get(userId)?.get(path) ?? new Map<string, Record<string, unknown>>();
      // An enhanced tag has no `day`: its `start_day` is what its list route filters on.
      const dayOfDocument = (d: Record<string, unknown>) => (typeof d.day === "string" ? d.day : d.start_day);
      all = [...byId.values()].filter((d) => {
        const day = dayOfDocument(d);
        return family === "undated" || typeof day !== "string" || (day >= start.slice(0, 10) && day <= end.slice(0, 10));
      });
    }
    const token = url.searchParams.get("next_token");
    const offset = token ? Number(Buffer.from(token, "base64url").toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) return json({ detail: "invalid next_token" }, 400);
    const page = all.slice(offset, offset + this.pageSize);
    const more = offset + this.pageSize < all.length;
    return json({ data: page, next_token: more ? Buffer.from(String(offset + this.pageSize)).toString("base64url") : null });
  }

  private async subscriptionRoute(request: Request, url: URL): Promise<Response> {
    if (!this.clientAuthorized(request)) return json({ detail: "Forbidden" }, 403);
    const parts = url.pathname.split("/").slice(4); // after /v2/webhook/subscription
    if (request.method === "GET" && parts.length === 0) return json([...this.subscriptions.values()].map(publicSubscription));
    if (request.method === "POST" && parts.length === 0) {
      const body = (await request.json()) as Partial<Subscription>;
      const missing = (["callback_url", "verification_token", "event_type", "data_type"] as const).filter((k) => !body[k]);
      if (missing.length) return json({ detail: missing.map((k) => ({ loc: ["body", k], msg: "field required", type: "value_error.missing" })) }, 422);
      if (!(await this.handshake(body.callback_url!, body.verification_token!))) {
        this.counters.handshakesFailed++;
        return json({ detail: "Callback URL verification failed" }, 400);
      }
      const subscription: Subscription = {
        id: crypto.randomUUID(),
        callback_url: body.callback_url!,
        event_type: body.event_type!,
        data_type: body.data_type!,
        verification_token: body.verification_token!,
        expiration_time: new Date(Date.now() + 90 * 86_400_000).toISOString(),
      };
      this.subscriptions.set(subscription.id, subscription);
      return json(publicSubscription(subscription), 201);
    }
    if (request.method === "PUT" && parts[0] === "renew" && parts[1]) {
      const subscription = this.subscriptions.get(parts[1]);
      if (!subscription) return json({ detail: "Forbidden" }, 403);
      subscription.expiration_time = new Date(Date.now() + 90 * 86_400_000).toISOString();
      return json(publicSubscription(subscription));
    }
    const subscription = parts[0] ? this.subscriptions.get(parts[0]) : undefined;
    if (request.method === "GET") return subscription ? json(publicSubscription(subscription)) : json({ detail: "Forbidden" }, 403);
    if (request.method === "DELETE") {
      if (!subscription) return json({ detail: `No webhook id ${parts[0]} found.` }, 404);
      this.subscriptions.delete(subscription.id);
      return new Response(null, { status: 204 });
    }
    if (request.method === "PUT" && subscription) {
      const body = (await request.json()) as Partial<Subscription>;
      if (!body.verification_token) return json({ detail: [{ loc: ["body", "verification_token"], msg: "field required" }] }, 422);
      if (body.callback_url && !(await this.handshake(body.callback_url, body.verification_token))) return json({ detail: "Callback URL verification failed" }, 400);
      Object.assign(subscription, { ...body });
      return json(publicSubscription(subscription));
    }
    return json({ detail: "Forbidden" }, 403);
  }

  private async handshake(callbackUrl: string, verificationToken: string): Promise<boolean> {
    const challenge = random();
    const url = new URL(callbackUrl);
    url.searchParams.set("verification_token", verificationToken);
    url.searchParams.set("challenge", challenge);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) return false;
      return ((await response.json()) as { challenge?: string }).challenge === challenge;
    } catch {
      return false;
    }
  }
}

function publicSubscription({ verification_token: _, ...rest }: Subscription) {
  return rest;
}
