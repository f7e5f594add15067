// Hot fragments rendered per event (hono/html templates: cheaper than JSX for what runs on every event).
import { html, raw } from "hono/html";
import type { Event } from "../schemas/event.ts";

const time = (iso: string) => iso.slice(11, 19);

export function feedRow(event: Event) {
  return html`<li id="event-${event.id}" class="event" data-type="${event.data_type}" data-status="${event.fetch_status ?? ""}">
<a href="/dashboard/events/${event.id}" hx-get="/dashboard/events/${event.id}" hx-target="#detail" hx-swap="innerHTML" hx-push-url="false">
<time datetime="${event.received_at}">${time(event.received_at)}</time>
<span class="type">${event.data_type}</span>
<span class="etype">${event.event_type}</span>
<span class="status status-${event.fetch_status ?? "none"}">${event.fetch_status ?? "stored"}</span>
<span class="user">${event.user_id}</span>
</a></li>`;
}

export function feedList(events: Event[]) {
  if (events.length === 0) return html``;
  return html`${events.map((event) => feedRow(event))}`;
}

export function eventDetail(event: Event, history: Event[] = []) {
  const pretty = (value: unknown) => JSON.stringify(value, null, 2);
  return html`<article class="detail" aria-labelledby="detail-title">
<h3 id="detail-title">Event ${event.id}: ${event.data_type} ${event.event_type}</h3>
<dl>
<dt>Received</dt><dd><time datetime="${event.received_at}">${event.received_at}</time></dd>
<dt>Event time</dt><dd>${event.event_time}</dd>
<dt>Oura user</dt><dd>${event.user_id}</dd>
<dt>Document id</dt><dd>${event.object_id}</dd>
<dt>Fetch status</dt><dd class="status status-${event.fetch_status ?? "none"}">${event.fetch_status ?? "stored"}${event.fetched_at ? html` at ${event.fetched_at}` : ""}${event.fetch_error ? html` — ${event.fetch_error}` : ""}</dd>
</dl>
<h4>Notification</h4>
<pre><code>${pretty(event.notification)}</code></pre>
<h4>Document</h4>
${event.document ? html`<pre class="document"><code>${pretty(event.document)}</code></pre>` : html`<p class="empty">${documentHint(event)}</p>`}
<h4>History of this document</h4>
<ol class="history">${history.map(
    (past) => html`<li${past.id === event.id ? html` aria-current="true"` : ""}><time datetime="${past.received_at}">${past.received_at}</time> ${past.event_type} — <span class="status status-${past.fetch_status ?? "none"}">${past.fetch_status ?? "stored"}</span>${past.fetch_error ? html` (${past.fetch_error})` : ""}</li>`,
  )}</ol>
</article>`;
}

function documentHint(event: Event): string {
  switch (event.fetch_status) {
    case "pending":
      return "Not fetched yet.";
    case "awaiting_link":
      return "Waiting for this Oura user to sign in.";
    case "missing":
      return "Oura no longer has this document.";
    case "deleted":
      return "Deleted at Oura.";
    case "failed":
      return "Fetching failed; see the status above.";
    default:
      return "No document.";
  }
}

/** What the dashboard's WebSocket receives for an event: htmx 4 partials, each with its own target. */
export function liveMessage(event: Event, created: boolean, refreshPanels: boolean): string {
  const row = feedRow(event).toString();
  const parts = [
    created
      ? `<hx-partial hx-target="#feed" hx-swap="afterbegin">${row}</hx-partial>`
      : `<hx-partial hx-target="#event-${event.id}" hx-swap="outerHTML">${row}</hx-partial>`,
    `<hx-partial hx-target="#last-event" hx-swap="innerHTML"><time datetime="${event.received_at}">${event.received_at.replace("T", " ").slice(0, 19)} UTC</time></hx-partial>`,
  ];
  if (refreshPanels) {
    // Each viewer reloads the cards and charts it is allowed to see.
    parts.push(`<hx-partial hx-target="#panels-refresh" hx-swap="innerHTML"><span hx-get="/dashboard/panels" hx-trigger="load" hx-target="#panels" hx-swap="outerHTML" hx-include="#range"></span></hx-partial>`);
  }
  return raw(parts.join("")).toString();
}
