/** @jsxImportSource hono/jsx */
// Full pages (hono/jsx), each in the one Layout: sign-in, the dashboard, an event on its own, the OAuth error page.
// Render one for a response with htmlDocument(...) from layout.tsx. Fragments that change live are in feed.tsx.
import { raw } from "hono/html";
import type { VisibleAccount } from "../services/accounts.ts";
import { LinkedUsers } from "./access.tsx";
import type { Event } from "../storage/events.ts";
import { WEBHOOK_DATA_TYPES } from "../oura/data-types.ts";
import { EventDetail, FeedList, LastEventTime } from "./feed.tsx";
import { shownName, userNames } from "./names.ts";
import { HooksSummary } from "./hooks.tsx";
import type { HookStatus } from "../storage/hooks.ts";
import { ErrorNote, Layout } from "./layout.tsx";
import type { FeedContext } from "./event-words.ts";
import type { PollingStrip } from "./polling-strip.ts";
import { RetryFailedButton } from "./fetch-retry.tsx";
import type { Health } from "../schemas/health.ts";

export function SignInPage(props: { oauthConfigured: boolean; csrf: string; error?: string; apiTokenConfigured: boolean }) {
  return (
    <Layout title="Sign in — Oura Streaming">
      <main class="sign-in">
        <h1>Oura Streaming</h1>
        <p>Your Oura data, live, on your own machine. Sign in to see it.</p>
        {props.oauthConfigured ? (
          <p>
            <a class="button primary" href="/auth/login">
              Sign in with Oura
            </a>
          </p>
        ) : (
          <p class="hint" role="note">
            Sign-in with Oura is not configured: set <code>OURA_CLIENT_ID</code> and <code>OURA_CLIENT_SECRET</code> (from your
            application at cloud.ouraring.com), and <code>PUBLIC_URL</code>, then restart.
          </p>
        )}
        {props.apiTokenConfigured ? (
          <form method="post" action="/dashboard/sign-in" class="token-form">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <label for="token">Or use the server's API token</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required />
            <button type="submit">Sign in with token</button>
            {props.error ? <ErrorNote message={props.error} /> : null}
          </form>
        ) : null}
      </main>
    </Layout>
  );
}

export interface DashboardModel {
  csrf: string | null;
  /** What the page's address asked for and could not be shown (a pruned event, a mistyped night). */
  notes?: string[];
  /** /dashboard?event=<id>: the event whose detail opens with the page. */
  openEvent?: { event: Event; history: Event[] };
  /** A browser session, which "Sign out" ends. */
  signedIn: boolean;
  viewer: string;
  /** An operator sees the server's parts (subscriptions, warehouse, invitations, every user); a wearer their own. */
  operator: boolean;
  /** The viewer's own Oura user, if any (an operator does not demote themselves from here). */
  self: string | null;
  /** For operators: webhook deliveries are being refused, and the likely cause. */
  refusalAlert: string | null;
  oauthConfigured: boolean;
  accounts: VisibleAccount[];
  mode: string;
  lastEventAt: string | null;
  storageBytes: number | null;
  events: Event[];
  feedContext: FeedContext;
  /** What the page draws from documents, already drawn (routes/dashboard.ts keeps them until a document changes):
   * today's scores and why, the night, and the trends with the workouts, sessions and tags of their days. */
  drawn: { today: string; night: string; panels: string };
  /** Where this server is reached: PUBLIC_URL, else the address the page was loaded from. */
  serverUrl: string;
  polling: PollingStrip;
  /** Warehouse mode's outbox and shipper; null with sqlite. */
  warehouse: Health["warehouse"];
  /** For operators with MQTT_URL set: the link to Home Assistant's broker. */
  mqtt?: Health["mqtt"];
  /** How often the live status entries refresh themselves. */
  refreshMs: number;
  /** For operators: the outgoing webhooks' state (the server section's line). */
  hooks: HookStatus | null;
  /** Whether the viewer may register outgoing webhooks (an operator, or a wearer for their own data). */
  hooksPanel: boolean;
  /** Whether the viewer has AI assistants' tokens and access log to see (an operator, or a wearer for their own data). */
  assistantsPanel: boolean;
}

const formatBytes = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

/** Closed until opened, its content loaded with the page: set up once and rarely looked at, it should not push the rest of the page down. */
function ClosedPanel({ id, title }: { id: string; title: string }) {
  return (
    <details id={`${id}-box`} class={`${id}-box`}>
      <summary>{title}</summary>
      <section id={id} hx-get={`/dashboard/${id}`} hx-trigger="load" hx-swap="outerHTML" aria-label={title}></section>
    </details>
  );
}

export function DashboardPage(model: DashboardModel) {
  const needsReauth = model.accounts.filter((a) => a.needs_reauth);
  const alerts = [
    ...needsReauth.map((a) => (
      <p class="alert" role="alert">
        Oura no longer accepts the sign-in of <code>{shownName(a)}</code>: <a href="/auth/login">sign in again</a>.
      </p>
    )),
    ...(model.refusalAlert
      ? [
          <p class="alert" role="alert" id="refusal-alert">
            Oura's notifications are being refused: {model.refusalAlert}. Oura retries for a while, then drops them (details in /health).
          </p>,
        ]
      : []),
  ];
  return (
    <Layout title="Dashboard — Oura Streaming" csrf={model.csrf} scripts>
      <header class="top">
        <h1>Oura Streaming</h1>
        <p class="viewer">{model.viewer}</p>
        {/* Only a browser session can sign out (dashboard.js then goes back to the sign-in page); an API token, a
            Databricks App user or open access on loopback has nothing to end. */}
        {model.signedIn ? (
          <form id="sign-out" hx-post="/auth/logout" hx-swap="none">
            <button type="submit">Sign out</button>
          </form>
        ) : null}
      </header>
      {/* What needs the viewer now stays on top; the server's status is one line on a phone (dashboard.js opens it on a
          wide screen), so the first screen of a phone is today's scores. */}
      {alerts.length > 0 ? <section class="alerts">{alerts}</section> : null}
      <details id="server" class="status server" data-open-wide="true">
        <summary>
          {model.operator ? "Server" : "Your ring's link"}: <span class="server-line">{model.mode && model.operator ? model.mode : model.polling.mode === "off" ? "webhooks" : "polling"}</span>
        </summary>
        <dl>
          <div>
            <dt>Linked</dt>
            <dd>
              {model.accounts.length === 0
                ? "no Oura user yet"
                : model.accounts.map((a) => (
                    <span class={a.needs_reauth ? "token bad" : "token ok"} title={a.user_id}>
                      {shownName(a)}{" "}
                      {a.needs_reauth ? (
                        "(sign in again)"
                      ) : a.access_expires_at ? (
                        <>
                          (token until <LastEventTime at={a.access_expires_at} />)
                        </>
                      ) : (
                        ""
                      )}
                    </span>
                  ))}
            </dd>
          </div>
          {model.operator ? (
            <div>
              <dt>Mode</dt>
              <dd>{model.mode}</dd>
            </div>
          ) : null}
          <div>
            <dt>Polling</dt>
            <dd id="polling-status">
              <PollingSummary strip={model.polling} names={userNames(model.accounts)} />
            </dd>
          </div>
          <div>
            <dt>Last event</dt>
            <dd id="last-event">{model.lastEventAt ? <LastEventTime at={model.lastEventAt} /> : "none yet"}</dd>
          </div>
          {model.operator ? (
            <>
              <div>
                <dt>Subscriptions</dt>
                <dd id="subscription-expiry" hx-get="/dashboard/subscriptions/summary" hx-trigger="load" hx-swap="innerHTML">
                  …
                </dd>
              </div>
              <div>
                <dt>Storage</dt>
                <dd>{model.storageBytes === null ? "in memory" : formatBytes(model.storageBytes)}</dd>
              </div>
              {model.oauthConfigured ? (
                <div>
                  <dt>Fetches</dt>
                  <dd>
                    <RetryFailedButton />
                  </dd>
                </div>
              ) : null}
            </>
          ) : null}
          {model.mqtt ? (
            <div>
              <dt>Home Assistant (MQTT)</dt>
              <dd id="mqtt-status">{mqttSummary(model.mqtt)}</dd>
            </div>
          ) : null}
          {model.operator && model.hooks ? (
            <div>
              <dt>Outgoing webhooks</dt>
              <dd id="hooks-status">
                <HooksSummary status={model.hooks} />
              </dd>
            </div>
          ) : null}
          {model.warehouse ? (
            <div>
              <dt>Warehouse</dt>
              <dd id="warehouse-status" hx-get="/dashboard/warehouse" hx-trigger={`every ${model.refreshMs}ms`} hx-swap="innerHTML">
                <WarehouseSummary status={model.warehouse} />
              </dd>
            </div>
          ) : null}
        </dl>
      </details>
      {(model.notes ?? []).map((note) => (
        <p class="alert" role="status">
          {note}
        </p>
      ))}
      {raw(model.drawn.today)}
      <section id="history" hx-get="/dashboard/history" hx-trigger="load" hx-swap="outerHTML" hidden></section>
      {raw(model.drawn.night)}
      {raw(model.drawn.panels)}
      <div id="panels-refresh" hidden></div>
      <section id="live" class="live" aria-labelledby="live-title" hx-ws:connect="/ws/events?format=html">
        <div class="live-head">
          <h2 id="live-title">Live events</h2>
          <p class="tz-note" id="tz-note">
            Times in UTC
          </p>
          <label>
            Type{" "}
            <select id="feed-filter" name="data_type" hx-get="/dashboard/feed" hx-target="#feed" hx-swap="innerHTML">
              <option value="">all</option>
              {WEBHOOK_DATA_TYPES.map((t) => (
                <option value={t}>{t}</option>
              ))}
            </select>
          </label>
          <button id="new-count" type="button" class="new-count" hidden>
            0 new
          </button>
        </div>
        {model.events.length === 0 ? <EmptyFeed serverUrl={model.serverUrl} /> : null}
        <ul id="feed" class="feed" aria-live="polite">
          <FeedList events={model.events} context={model.feedContext} />
        </ul>
      </section>
      {/* The event detail opens over the page, where the eye is (a drawer at the side on a wide screen, the whole
          screen on a phone), at /dashboard?event=<id>; Escape or Close returns focus to the row. */}
      <dialog id="detail-dialog" class="detail-dialog" aria-labelledby="detail-title" data-open={model.openEvent ? "true" : undefined}>
        <div class="dialog-bar">
          <button type="button" id="detail-close" autofocus>
            Close
          </button>
        </div>
        <section id="detail" class="detail-panel">
          {model.openEvent ? <EventDetail event={model.openEvent.event} history={model.openEvent.history} /> : null}
        </section>
      </dialog>
      {/* Closed until opened: set up once and rarely looked at, it should not push the rest of the page down. */}
      {model.hooksPanel ? <ClosedPanel id="hooks" title="Outgoing webhooks" /> : null}
      {model.assistantsPanel ? <ClosedPanel id="assistants" title="AI assistants" /> : null}
      <section class="account" aria-labelledby="account-title">
        <h2 id="account-title">{model.operator ? "Users, invitations and subscriptions" : "Your Oura account"}</h2>
        {model.oauthConfigured ? (
          <>
            <p>
              <a class="button" href="/auth/login">
                Sign in with Oura
              </a>{" "}
              {model.operator ? (
                <button hx-post="/dashboard/subscriptions/sync" hx-target="#subscriptions" hx-swap="innerHTML">
                  Subscribe to everything
                </button>
              ) : null}
            </p>
            <LinkedUsers accounts={model.accounts} operator={model.operator} self={model.self} />
            {model.operator ? (
              <>
                <div id="invitations" hx-get="/dashboard/invitations" hx-trigger="load" hx-swap="outerHTML"></div>
                <div id="subscriptions" hx-get="/dashboard/subscriptions" hx-trigger="load" hx-swap="innerHTML">
                  Loading subscriptions…
                </div>
              </>
            ) : null}
          </>
        ) : (
          <p class="hint" role="note">
            To link an Oura account, set <code>OURA_CLIENT_ID</code>, <code>OURA_CLIENT_SECRET</code> and <code>PUBLIC_URL</code>, then restart.
          </p>
        )}
      </section>
    </Layout>
  );
}

/** Where shipping to Delta stands: waiting rows, the oldest one's age, the last success, and the last error if failing. */
/** "connected to mqtt://host:1883, 3 devices", or what is wrong and that it is retried. */
export function mqttSummary(status: NonNullable<Health["mqtt"]>): string {
  const devices = `${status.devices} ${status.devices === 1 ? "device" : "devices"}`;
  switch (status.state) {
    case "connected":
      return `connected to ${status.broker}, ${devices}${status.pending_users ? ` (${status.pending_users} being published)` : ""}`;
    case "connecting":
      return `connecting to ${status.broker}`;
    case "stopped":
      return "stopped";
    default:
      return `${status.state === "refused" ? "refused by" : "cannot reach"} ${status.broker}${status.last_error ? `: ${status.last_error}` : ""}; retrying (data is still received and stored)`;
  }
}

export function WarehouseSummary(props: { status: NonNullable<Health["warehouse"]> }) {
  const { state, waiting_since, pending_events, pending_documents, pending_heart_rate_samples, oldest_pending_at, last_success_at, last_error, tables } = props.status;
  const waiting = pending_events + pending_documents + pending_heart_rate_samples;
  return (
    <>
      <span class={state === "failing" ? "state bad" : "state ok"} title={`${tables.events}, ${tables.documents}`}>
        {state === "failing" ? "failing" : state === "waiting" ? "waiting for the warehouse to start" : "ok"}
      </span>
      {state === "waiting" && waiting_since ? <> (since <LastEventTime at={waiting_since} />)</> : null}
      {waiting === 0 ? ", all shipped" : <>, {waiting} waiting{oldest_pending_at ? <> since <LastEventTime at={oldest_pending_at} /></> : null}</>}
      {last_success_at ? <>, last shipped <LastEventTime at={last_success_at} /></> : null}
      {state === "failing" && last_error ? <span class="warehouse-error">: {last_error}</span> : null}
    </>
  );
}

function PollingSummary(props: { strip: PollingStrip; names: ReadonlyMap<string, string> }) {
  const { mode, lastSuccessAt, failing } = props.strip;
  const label = mode === "poll" ? "on" : mode === "reconcile" ? "daily reconciliation" : "off";
  return (
    <>
      {label}
      {lastSuccessAt ? <>, last read <LastEventTime at={lastSuccessAt} /></> : mode === "off" ? null : ", not run yet"}
      {failing.length > 0 ? (
        <span class="token bad" title={failing.map((f) => `${props.names.get(f.user_id) ?? f.user_id} ${f.data_type}: ${f.last_error ?? ""}`).join("\n")}>
          {" "}
          {failing.length} failing (see /polling)
        </span>
      ) : null}
    </>
  );
}

/** `serverUrl`: where this server is reached (PUBLIC_URL, else the address this page was loaded from). */
function EmptyFeed(props: { serverUrl: string }) {
  const target = `${props.serverUrl}/webhooks`;
  return (
    <div class="empty-feed" id="empty-feed">
      <p>No events yet. They appear here the moment Oura delivers them.</p>
      <p>To try it now, send a correctly signed test notification from the server's folder (it signs with OURA_CLIENT_SECRET and explains a refusal):</p>
      <pre>
        <code>{`npx bun src/main.ts send-test --url ${target}`}</code>
      </pre>
      <p>
        With the single binary: <code>oura-streaming send-test --url {target}</code>. By hand, the signature is HMAC-SHA256 of timestamp + body, keyed by
        your client secret, in upper-case hex:
      </p>
      <pre>
        <code>{`ts=$(date +%s); body='{"event_type":"create","data_type":"daily_sleep","object_id":"test-1","event_time":"2026-01-01T08:00:00+00:00","user_id":"me"}'
sig=$(printf '%s%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$OURA_CLIENT_SECRET" | awk '{print toupper($2)}')
curl -X POST ${target} -H 'content-type: application/json' -H "x-oura-timestamp: $ts" -H "x-oura-signature: $sig" -d "$body"`}</code>
      </pre>
    </div>
  );
}

/** An event on a page of its own (the detail link opened without htmx). */
export function EventPage(props: { event: Event; history: Event[] }) {
  return (
    <Layout title={`Event ${props.event.id} — Oura Streaming`}>
      <main class="detail-panel">
        <p>
          <a href="/dashboard">← Dashboard</a>
        </p>
        <EventDetail event={props.event} history={props.history} />
      </main>
    </Layout>
  );
}

/** Where the OAuth callback ends when it cannot sign the person in. */
export function AuthErrorPage(props: { title: string; message: string }) {
  return (
    <Layout title={`${props.title} — Oura Streaming`}>
      <main class="sign-in">
        <h1>{props.title}</h1>
        <ErrorNote message={props.message} />
        <p>
          <a class="button primary" href="/auth/login">
            Sign in with Oura again
          </a>
        </p>
        <p>
          <a href="/dashboard">Back to the dashboard</a>
        </p>
      </main>
    </Layout>
  );
}
