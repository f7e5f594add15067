// The bearer token for the workspace: a personal access token as given, or the service principal's OAuth M2M token
// (client credentials at /oidc/v1/token, valid an hour), cached and renewed five minutes before it ends.
import type { WarehouseConfig } from "../config.ts";

const RENEW_MARGIN_MS = 5 * 60_000;

export interface WorkspaceCredentials {
  /** A token to send now. */
  bearer(): Promise<string>;
  /** The workspace refused the token: forget it so the next bearer() asks for a new one. */
  invalidate(): void;
}

export class WorkspaceAuthError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "WorkspaceAuthError";
  }
}

export function workspaceCredentials(host: string, credentials: WarehouseConfig["credentials"], fetcher: typeof fetch = fetch, now: () => number = Date.now): WorkspaceCredentials {
  if (credentials.kind === "token") return { bearer: async () => credentials.token, invalidate() {} };
  let cached: { token: string; expiresAtMs: number } | undefined;
  let inflight: Promise<string> | undefined;
  const issue = async (): Promise<string> => {
    const response = await fetcher(`${host}/oidc/v1/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${credentials.clientId}:${credentials.clientSecret}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials&scope=all-apis",
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) {
      throw new WorkspaceAuthError(
        response.status === 401 || response.status === 400
          ? `the workspace refused the service principal (DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET): HTTP ${response.status}`
          : `the workspace's token endpoint answered HTTP ${response.status}`,
        response.status,
      );
    }
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new WorkspaceAuthError("the workspace's token endpoint answered without an access_token");
    cached = { token: body.access_token, expiresAtMs: now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  };
  return {
    async bearer() {
      if (cached && cached.expiresAtMs - now() > RENEW_MARGIN_MS) return cached.token;
      inflight ??= issue().finally(() => (inflight = undefined));
      return inflight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
