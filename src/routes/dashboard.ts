// Where sign-in lands. A plain page for now: who is signed in and where their data is; the live dashboard replaces it.
import { Hono } from "hono";
import { oauthConfigured, readPrincipal, visibleUser } from "../auth/principal.ts";
import type { AppDeps, AppEnv } from "../deps.ts";

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function createDashboardRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get("/dashboard", async (c) => {
    const principal = await readPrincipal(c, deps).catch(() => undefined);
    const body = !principal
      ? oauthConfigured(deps.config)
        ? `<p><a href="/auth/login">Sign in with Oura</a></p>`
        : `<p>Set OURA_CLIENT_ID and OURA_CLIENT_SECRET to sign in with Oura.</p>`
      : `<p>Signed in${principal.kind === "session" && principal.userId ? ` as Oura user <code>${escape(principal.userId)}</code>` : ""}.</p>
         ${deps.accounts
           .list(visibleUser(principal))
           .filter((account) => account.needs_reauth)
           .map((account) => `<p role="alert">Oura no longer accepts the sign-in of <code>${escape(account.user_id)}</code>: <a href="/auth/login">sign in again</a>.</p>`)
           .join("")}
         <ul><li><a href="/documents">Your documents</a></li><li><a href="/events">Your events</a></li><li><a href="/auth/status">Link status</a></li><li><a href="/docs">API</a></li></ul>
         <form method="post" action="/auth/logout"><button>Sign out</button></form>`;
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Oura Streaming</title></head>` +
        `<body><main><h1>Oura Streaming</h1>${body}</main></body></html>`,
      principal ? 200 : 401,
    );
  });
  return app;
}
