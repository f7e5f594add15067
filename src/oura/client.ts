// The Oura API as this server uses it: OAuth2 token grants, personal_info, documents, and webhook subscription admin.
// Knows nothing of routes or storage; every failure is an OuraApiError carrying Oura's own answer.
import type { Config } from "../config.ts";
import { type ListFamily, listFamily } from "./data-types.ts";
import type { RequestBudget, RequestPriority } from "./request-budget.ts";
import { OuraApiError } from "./api-error.ts";
import type { CircuitBreaker, Ticket } from "./circuit-breaker.ts";

export { OuraApiError };

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope?: string;
  token_type?: string;
}

export interface OuraSubscription {
  id: string;
  callback_url: string;
  event_type: string;
  data_type: string;
  expiration_time: string;
}

/** The part of personal_info this server uses. */
export interface PersonalInfo {
  id: string;
  /** Null when Oura gave none (no `email` scope) or one that is not an email. */
  email: string | null;
}

export interface RevokeOutcome {
  revoked: boolean;
  /** Why it was not (or what Oura said), when not a plain success. */
  error?: string;
}

/** Webhook data types whose usercollection path is spelled differently (Oura's own casing). */
const PATH_BY_DATA_TYPE: Record<string, string> = { vo2_max: "vO2_max" };
export const documentPath = (dataType: string) => PATH_BY_DATA_TYPE[dataType] ?? dataType;

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

async function failure(response: Response): Promise<OuraApiError> {
  const text = await response.text().catch(() => "");
  let detail = text.slice(0, 300) || response.statusText;
  let oauthError: string | undefined;
  try {
    const body = JSON.parse(text) as { detail?: unknown; error?: string; error_description?: string };
    oauthError = body.error;
    detail = typeof body.detail === "string" ? body.detail : body.error_description ?? body.error ?? JSON.stringify(body.detail ?? body);
  } catch {
    // Not JSON: keep the text.
  }
  const retryAfter = Number(response.headers.get("retry-after"));
  return new OuraApiError(response.status, detail, oauthError, Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined);
}

/** One page of a list route: Oura's envelope. */
export interface ListPage {
  data: Record<string, unknown>[];
  next_token: string | null;
}

/** What a list request covers: days for dated documents, instants for time series, nothing for undated routes. */
export type ListWindow = { startDate: string; endDate: string } | { startDateTime: string; endDateTime: string };

/** The query of a list route, with the parameter names its family takes (Oura answers 400 to the others). */
export function listQuery(family: ListFamily, window: ListWindow | undefined, nextToken?: string): URLSearchParams {
  const query = new URLSearchParams();
  if (family === "dated" && window && "startDate" in window) {
    query.set("start_date", window.startDate);
    query.set("end_date", window.endDate);
  } else if (family === "time_series" && window && "startDateTime" in window) {
    query.set("start_datetime", window.startDateTime);
    query.set("end_datetime", window.endDateTime);
  }
  if (nextToken) query.set("next_token", nextToken);
  return query;
}

/**
 * `budget` paces usercollection requests; `breaker` notices Oura being down. The loops' requests (usercollection, token
 * refresh) are not sent while it is open; a person's (sign-in, subscription admin) always are, and their answers count.
 */
export function createOuraClient(oura: Config["oura"], fetcher: Fetch = fetch, budget?: RequestBudget, breaker?: CircuitBreaker) {
  const timeout = () => AbortSignal.timeout(20_000);

  /** Sends a request; usercollection requests first take their place in the shared budget. `gated`: refused while Oura is down. */
  async function call<T>(url: string, init: RequestInit = {}, priority?: RequestPriority, signal?: AbortSignal, gated = priority !== undefined): Promise<T> {
    // Checked before the budget (a refusal spends none of it), and admitted after it (the circuit may have opened meanwhile).
    if (gated) breaker?.check();
    if (priority && budget) await budget.acquire(priority, signal);
    const ticket: Ticket | undefined = gated ? breaker?.admit() : undefined;
    let response: Response;
    try {
      response = await fetcher(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout()]) : timeout() });
    } catch (error) {
      const unreachable = new OuraApiError(0, `could not reach Oura: ${error instanceof Error ? error.message : String(error)}`);
      // Our own caller gave up: that says nothing about Oura.
      if (signal?.aborted) breaker?.abandon(ticket);
      else if (breaker) throw breaker.failure(ticket, unreachable);
      throw unreachable;
    }
    if (priority) budget?.observe(response.headers, response.status);
    if (response.status >= 500) {
      const error = await failure(response);
      throw breaker ? breaker.failure(ticket, error) : error;
    }
    breaker?.success();
    if (!response.ok) throw await failure(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  const tokenGrant = (fields: Record<string, string>, gated = false) =>
    call<TokenResponse>(
      oura.tokenUrl,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ ...fields, client_id: oura.clientId ?? "", client_secret: oura.clientSecret ?? "" }),
      },
      undefined,
      undefined,
      gated,
    );

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const appHeaders = () => ({ "x-client-id": oura.clientId ?? "", "x-client-secret": oura.clientSecret ?? "", "content-type": "application/json" });
  const subscriptionUrl = (suffix = "") => `${oura.apiBaseUrl}/v2/webhook/subscription${suffix}`;

  return {
    authorizeUrl(state: string): string {
      const url = new URL(oura.authUrl);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("client_id", oura.clientId ?? "");
      url.searchParams.set("redirect_uri", oura.redirectUri);
      url.searchParams.set("scope", oura.scopes);
      url.searchParams.set("state", state);
      return url.href;
    },
    exchangeCode: (code: string) => tokenGrant({ grant_type: "authorization_code", code, redirect_uri: oura.redirectUri }),
    /** Gated: the loops refresh tokens, and a 5xx at the token endpoint is Oura being down too. */
    refresh: (refreshToken: string) => tokenGrant({ grant_type: "refresh_token", refresh_token: refreshToken }, true),
    /**
     * The revoke method is undocumented: POST first, then GET, as other clients do. A 401 means already dead (revoked
     * as far as anyone can tell); anything else that is not a success is said, not swallowed.
     */
    async revoke(accessToken: string): Promise<RevokeOutcome> {
      const url = `${oura.tokenUrl.replace(/\/token$/, "/revoke")}?access_token=${encodeURIComponent(accessToken)}`;
      let outcome: RevokeOutcome = { revoked: false, error: "Oura did not answer" };
      for (const method of ["POST", "GET"]) {
        const response = await fetcher(url, { method, signal: timeout() }).catch(() => undefined);
        if (!response) return { revoked: false, error: "Oura could not be reached" };
        await response.body?.cancel();
        if (response.ok) return { revoked: true };
        if (response.status === 401) return { revoked: true, error: "Oura no longer knew this token (already revoked or expired)" };
        outcome = { revoked: false, error: `Oura answered ${response.status}` };
        if (response.status !== 404 && response.status !== 405) return outcome;
      }
      return outcome;
    },
    /** Who a token belongs to; an answer without a usable id is refused (nothing can be linked to it), an unusable email is missing. */
    async personalInfo(accessToken: string): Promise<PersonalInfo> {
      const body = await call<unknown>(`${oura.apiBaseUrl}/v2/usercollection/personal_info`, { headers: bearer(accessToken) });
      const { id, email } = (typeof body === "object" && body !== null ? body : {}) as { id?: unknown; email?: unknown };
      if (typeof id !== "string" || id.length === 0 || id.length > 256) throw new OuraApiError(200, "personal_info named no usable user id");
      return { id, email: typeof email === "string" && email.length <= 320 && email.includes("@") ? email : null };
    },
    getDocument: (accessToken: string, dataType: string, id: string) =>
      call<Record<string, unknown>>(
        `${oura.apiBaseUrl}/v2/usercollection/${documentPath(dataType)}/${encodeURIComponent(id)}`,
        { headers: bearer(accessToken) },
        "fetch",
      ),
    /** One page of a list route (follow `next_token` for the next). */
    async listPage(accessToken: string, dataType: string, window: ListWindow | undefined, options: { nextToken?: string; priority: RequestPriority; signal?: AbortSignal }): Promise<ListPage> {
      const query = listQuery(listFamily(dataType), window, options.nextToken);
      const page = await call<Partial<ListPage>>(
        `${oura.apiBaseUrl}/v2/usercollection/${documentPath(dataType)}?${query}`,
        { headers: bearer(accessToken) },
        options.priority,
        options.signal,
      );
      if (!page || !Array.isArray(page.data)) throw new OuraApiError(502, `the ${dataType} list had no data array`);
      return { data: page.data.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null), next_token: typeof page.next_token === "string" && page.next_token ? page.next_token : null };
    },
    listSubscriptions: () => call<OuraSubscription[]>(subscriptionUrl(), { headers: appHeaders() }),
    createSubscription: (body: { callback_url: string; verification_token: string; event_type: string; data_type: string }) =>
      call<OuraSubscription>(subscriptionUrl(), { method: "POST", headers: appHeaders(), body: JSON.stringify(body) }),
    updateSubscription: (id: string, body: { verification_token: string; callback_url?: string; event_type?: string; data_type?: string }) =>
      call<OuraSubscription>(subscriptionUrl(`/${encodeURIComponent(id)}`), { method: "PUT", headers: appHeaders(), body: JSON.stringify(body) }),
    renewSubscription: (id: string) => call<OuraSubscription>(subscriptionUrl(`/renew/${encodeURIComponent(id)}`), { method: "PUT", headers: appHeaders() }),
    deleteSubscription: (id: string) => call<void>(subscriptionUrl(`/${encodeURIComponent(id)}`), { method: "DELETE", headers: appHeaders() }),
  };
}

export type OuraClient = ReturnType<typeof createOuraClient>;
