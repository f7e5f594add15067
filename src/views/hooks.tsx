/** @jsxImportSource hono/jsx */
// The dashboard's "Outgoing webhooks": the add form, the new secret shown once, each endpoint's state (enabled, or
// disabled and why; its last delivery), its delivery log with "send again", and delete. Operators see every endpoint
// and may filter on users; a wearer sees their own.
import { WEBHOOK_EVENT_TYPES } from "../oura/data-types.ts";
import { HOOK_DATA_TYPES } from "../schemas/hooks.ts";
import type { HookView } from "../services/hooks.ts";
import type { HookDelivery, HookStatus } from "../storage/hooks.ts";
import { LastEventTime } from "./feed.tsx";
import { ErrorNote } from "./layout.tsx";

export interface HooksPanelModel {
  operator: boolean;
  hooks: { hook: HookView; last: HookDelivery | undefined }[];
  /** Just created: its secret, shown this once. */
  created?: { id: string; url: string; secret: string };
  error?: string;
}

const idOf = (hookId: string) => encodeURIComponent(hookId);

export function HooksPanel(model: HooksPanelModel) {
  return (
    <section id="hooks" class="hooks" aria-label="Outgoing webhooks">
      <p class="hint">
        Each event, once its document is fetched, is POSTed to your URL signed per Standard Webhooks. {model.operator ? "" : "Only your own data is sent."}
      </p>
      <form hx-post="/dashboard/hooks" hx-target="#hooks" hx-swap="outerHTML" class="hook-form">
        <label for="hook-url">URL</label> <input id="hook-url" name="url" type="url" required maxlength={2048} placeholder="https://receiver.example.org/oura" />{" "}
        <label for="hook-data-types">Data types</label>{" "}
        <select id="hook-data-types" name="data_types" multiple size={4}>
          {HOOK_DATA_TYPES.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>{" "}
        <label for="hook-event-types">Event types</label>{" "}
        <select id="hook-event-types" name="event_types" multiple size={3}>
          {WEBHOOK_EVENT_TYPES.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>{" "}
        {model.operator ? (
          <>
            <label for="hook-users">Users</label> <input id="hook-users" name="user_ids" maxlength={2000} placeholder="all (or user ids, comma-separated)" />{" "}
          </>
        ) : null}
        <label for="hook-description">Note</label> <input id="hook-description" name="description" maxlength={500} />{" "}
        <button type="submit" class="primary">
          Add endpoint
        </button>
        <p class="hint">No data type or event type chosen: all of them.</p>
      </form>
      {model.error ? <ErrorNote message={model.error} /> : null}
      {model.created ? (
        <p class="created-secret" role="status">
          Signing secret of {model.created.url} (shown only now, stored encrypted): <code id="hook-secret">{model.created.secret}</code>
        </p>
      ) : null}
      {model.hooks.length === 0 ? (
        <p>No endpoint yet.</p>
      ) : (
        <ul class="hook-list">
          {model.hooks.map(({ hook, last }) => (
            <li id={`hook-${hook.id}`}>
              <code>{hook.url}</code> {hook.description ? `· ${hook.description} ` : ""}·{" "}
              {hook.enabled ? <span class="state ok">enabled</span> : <span class="state bad">disabled: {hook.disabled_reason ?? "by hand"}</span>} · {filterWords(hook)} · last
              delivery: {last ? <DeliveryWords delivery={last} /> : "none yet"}{" "}
              {hook.enabled ? null : (
                <button hx-put={`/dashboard/hooks/${idOf(hook.id)}/enabled`} hx-target="#hooks" hx-swap="outerHTML">
                  Enable again
                </button>
              )}{" "}
              <button hx-get={`/dashboard/hooks/${idOf(hook.id)}/deliveries`} hx-target={`#deliveries-${hook.id}`} hx-swap="innerHTML">
                Delivery log
              </button>{" "}
              <button hx-delete={`/dashboard/hooks/${idOf(hook.id)}`} hx-target="#hooks" hx-swap="outerHTML" hx-confirm={`Delete the endpoint ${hook.url}?`}>
                Delete
              </button>
              <div id={`deliveries-${hook.id}`} aria-live="polite"></div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function filterWords(hook: HookView): string {
  const parts = [hook.data_types?.join(", ") ?? "all data types", hook.event_types?.join(", ") ?? "all events"];
  if (hook.user_ids) parts.push(`users ${hook.user_ids.join(", ")}`);
  return parts.join("; ");
}

function DeliveryWords(props: { delivery: HookDelivery }) {
  const d = props.delivery;
  const outcome = d.status === "delivered" ? "delivered" : d.status === "failed" ? "failed" : d.attempts === 0 ? "waiting" : "retrying";
  return (
    <>
      <span class={d.status === "delivered" ? "state ok" : d.attempts > 0 ? "state bad" : "state"}>{outcome}</span>
      {d.last_attempt_at ? (
        <>
          {" "}
          (<LastEventTime at={d.last_attempt_at} />)
        </>
      ) : null}
    </>
  );
}

/** One endpoint's deliveries, newest first: status, attempts, last error, response time, and "send again". */
export function DeliveryLog(props: { hookId: string; deliveries: HookDelivery[]; note?: string }) {
  if (props.deliveries.length === 0) return <p>No delivery yet.</p>;
  return (
    <>
      {props.note ? <p role="status">{props.note}</p> : null}
      <table class="delivery-log">
        <caption>Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Response time</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((d) => (
            <tr>
              <td>{d.event_id}</td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td>{d.last_error ?? (d.last_status_code === null ? "—" : String(d.last_status_code))}</td>
              <td>{d.last_response_ms === null ? "—" : `${d.last_response_ms} ms`}</td>
              <td>{d.next_attempt_at ? <LastEventTime at={d.next_attempt_at} /> : "—"}</td>
              <td>
                <button hx-post={`/dashboard/hooks/${idOf(props.hookId)}/deliveries/${d.id}/retry`} hx-target={`#deliveries-${props.hookId}`} hx-swap="innerHTML" aria-label={`Send again: delivery ${d.id}`}>
                  Send again
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The server section's line: how many endpoints, how many disabled or failing, deliveries waiting. */
export function HooksSummary(props: { status: HookStatus }) {
  const s = props.status;
  if (s.endpoints === 0) return <>none</>;
  const trouble = s.disabled + s.failing_endpoints;
  return (
    <>
      <span class={trouble > 0 ? "state bad" : "state ok"}>
        {s.enabled} enabled{s.disabled ? `, ${s.disabled} disabled` : ""}
        {s.failing_endpoints ? `, ${s.failing_endpoints} failing` : ""}
      </span>
      {s.pending_deliveries ? (
        <>
          {" "}
          · {s.pending_deliveries} waiting{s.oldest_pending_at ? <> since <LastEventTime at={s.oldest_pending_at} /></> : null}
        </>
      ) : null}
    </>
  );
}
