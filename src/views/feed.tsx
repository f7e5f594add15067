/** @jsxImportSource hono/jsx */
// The live feed's rows, an event's detail, and the WebSocket message that updates an open dashboard.
import type { Event } from "../storage/events.ts";
import { compactJson, numericSeries, type SeriesSummary } from "./document-json.ts";
import { eventOrigin, eventWords, type FeedContext, NO_CONTEXT } from "./event-words.ts";

const time = (iso: string) => iso.slice(11, 19);
const statusClass = (event: Event) => `status status-${event.fetch_status ?? "none"}`;

/**
 * A feed row in words ("Readiness 78 (+2)"), with where it came from, when it arrived and whose it is (by name, the Oura
 * id in the tooltip); the raw type, ids and JSON are in the detail it opens.
 */
export function FeedRow(props: { event: Event; context?: FeedContext }) {
  const { event, context = NO_CONTEXT } = props;
  const name = context.nameOf(event.user_id);
  return (
    <li id={`event-${event.id}`} class="event" data-type={event.data_type} data-status={event.fetch_status ?? ""}>
      {/* The link is the detail's own URL (shareable, reloadable, works without script); htmx loads it into the dialog. */}
      <a href={`/dashboard?event=${event.id}`} hx-get={`/dashboard/events/${event.id}`} hx-target="#detail" hx-swap="innerHTML" hx-push-url="false" data-event-id={event.id}>
        <time datetime={event.received_at} data-format="clock">
          {time(event.received_at)}
        </time>
        <span class="words">{eventWords(event, context.usualOf(event.user_id))}</span>
        <span class={`origin ${statusClass(event)}`} title={`${event.data_type} ${event.event_type}, ${event.fetch_status ?? "stored"}`}>
          {eventOrigin(event)}
        </span>
        <span class="user" title={event.user_id}>
          {name ?? event.user_id}
        </span>
      </a>
    </li>
  );
}

/** The names the feed shows for the users a viewer may see: the name they chose, else their email. */
export function userNames(accounts: readonly { user_id: string; email?: string | null; display_name?: string | null }[]): ReadonlyMap<string, string> {
  return new Map(accounts.flatMap((account) => {
    const name = account.display_name ?? account.email;
    return name ? [[account.user_id, name] as const] : [];
  }));
}

export function FeedList(props: { events: Event[]; context?: FeedContext }) {
  return (
    <>
      {props.events.map((event) => (
        <FeedRow event={event} context={props.context} />
      ))}
    </>
  );
}

/** When the last event arrived, in the status strip. */
export function LastEventTime(props: { at: string }) {
  // Written in UTC, and labelled so; dashboard.js rewrites it in the viewer's time zone (labelled too).
  return (
    <time datetime={props.at} data-format="full">
      {props.at.replace("T", " ").slice(0, 19)} UTC
    </time>
  );
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

const rounded = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });

/** The document's long numeric series in a line each (the JSON below keeps every value, on one line). */
function SeriesList(props: { series: SeriesSummary[] }) {
  if (props.series.length === 0) return null;
  return (
    <ul class="series-summary">
      {props.series.map((s) => (
        <li>
          <code>{s.path}</code>: {s.count.toLocaleString("en-US")} values, min {rounded(s.min)}, mean {rounded(s.mean)}, max {rounded(s.max)}
        </li>
      ))}
    </ul>
  );
}

/** Any instant, written in UTC and labelled so (dashboard.js shows it in the viewer's zone); unparseable text as it is. */
function UtcTime(props: { at: string }) {
  const ms = Date.parse(props.at);
  if (Number.isNaN(ms)) return <>{props.at}</>;
  const utc = new Date(ms).toISOString();
  return (
    <time datetime={utc} data-format="full">
      {utc.replace("T", " ").slice(0, 19)} UTC
    </time>
  );
}

export function EventDetail(props: { event: Event; history?: Event[] }) {
  const { event, history = [] } = props;
  return (
    <article class="detail" aria-labelledby="detail-title">
      <h3 id="detail-title">
        Event {event.id}: {event.data_type} {event.event_type}
      </h3>
      <dl>
        <dt>Received</dt>
        <dd>
          <time datetime={event.received_at} data-format="full">
            {event.received_at.replace("T", " ").slice(0, 19)} UTC
          </time>
        </dd>
        <dt>Event time</dt>
        <dd>
          <UtcTime at={event.event_time} />
        </dd>
        <dt>Oura user</dt>
        <dd>{event.user_id}</dd>
        <dt>Document id</dt>
        <dd>{event.object_id}</dd>
        <dt>Fetch status</dt>
        <dd class={statusClass(event)}>
          {event.fetch_status ?? "stored"}
          {event.fetched_at ? (
            <>
              {" at "}
              <UtcTime at={event.fetched_at} />
            </>
          ) : null}
          {event.fetch_error ? ` — ${event.fetch_error}` : null}
        </dd>
      </dl>
      <h4>Notification</h4>
      <pre>
        <code>{pretty(event.notification)}</code>
      </pre>
      <h4>Document</h4>
      {event.document ? (
        <>
          <SeriesList series={numericSeries(event.document)} />
          <pre class="document">
            <code>{compactJson(event.document)}</code>
          </pre>
        </>
      ) : (
        <p class="empty">{documentHint(event)}</p>
      )}
      <h4>History of this document</h4>
      <ol class="history">
        {history.map((past) => (
          <li aria-current={past.id === event.id ? "true" : undefined}>
            <time datetime={past.received_at} data-format="full">
              {past.received_at.replace("T", " ").slice(0, 19)} UTC
            </time>{" "}
            {past.event_type} —{" "}
            <span class={statusClass(past)}>{past.fetch_status ?? "stored"}</span>
            {past.fetch_error ? ` (${past.fetch_error})` : null}
          </li>
        ))}
      </ol>
    </article>
  );
}

function documentHint(event: Event): string {
  switch (event.fetch_status) {
    case "pending":
      return "Not fetched yet.";
    case "awaiting_link":
      return "Waiting for this Oura user to sign in.";
    case "not_fetched":
      return "Not fetched: this server has no Oura sign-in configured (OURA_CLIENT_ID and OURA_CLIENT_SECRET).";
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
export function LiveMessage(props: { event: Event; created: boolean; refreshPanels: boolean; context?: FeedContext | undefined }) {
  const { event, created, refreshPanels, context } = props;
  return (
    <>
      {created ? (
        <hx-partial hx-target="#feed" hx-swap="afterbegin">
          <FeedRow event={event} context={context} />
        </hx-partial>
      ) : (
        <hx-partial hx-target={`#event-${event.id}`} hx-swap="outerHTML">
          <FeedRow event={event} context={context} />
        </hx-partial>
      )}
      <hx-partial hx-target="#last-event" hx-swap="innerHTML">
        <LastEventTime at={event.received_at} />
      </hx-partial>
      {refreshPanels ? (
        // Each viewer reloads today's scores and the trends it is allowed to see.
        <hx-partial hx-target="#panels-refresh" hx-swap="innerHTML">
          <span hx-get="/dashboard/today" hx-trigger="load" hx-target="#today" hx-swap="outerHTML"></span>
          <span hx-get="/dashboard/panels" hx-trigger="load" hx-target="#panels" hx-swap="outerHTML" hx-include="#range"></span>
        </hx-partial>
      ) : null}
    </>
  );
}

/** The live message as the string published to the dashboard's sockets. */
export function liveMessage(event: Event, created: boolean, refreshPanels: boolean, context?: FeedContext): string {
  return (<LiveMessage event={event} created={created} refreshPanels={refreshPanels} context={context} />).toString();
}
