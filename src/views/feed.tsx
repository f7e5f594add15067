/** @jsxImportSource hono/jsx */
// The live feed's rows, an event's detail, and the WebSocket message that updates an open dashboard.
import type { Event } from "../storage/events.ts";
import { compactJson, numericSeries, type SeriesSummary } from "./document-json.ts";
import { eventOrigin, eventWords, type FeedContext, NO_CONTEXT, typeName } from "./event-words.ts";
import { durationText, grouped } from "./metrics.ts";
import { gappedPath } from "./paths.ts";

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
        <span class="words">{eventWords(event, (metric) => context.usualOf(event.user_id, metric))}</span>
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

const rounded = grouped;

/** A small curve of a series' buckets, gaps left open. */
function Spark(props: { values: (number | null)[]; min: number; max: number }) {
  const { values, min, max } = props;
  const x = (i: number) => (i / Math.max(1, values.length - 1)) * 200;
  const y = (v: number) => (max === min ? 12 : 22 - ((v - min) / (max - min)) * 20);
  return (
    <svg class="spark" viewBox="0 0 200 24" preserveAspectRatio="none" aria-hidden="true">
      <path d={gappedPath(values, x, y)} fill="none" />
    </svg>
  );
}

/** The document's long numeric series in a line each, with a small curve (the JSON below keeps every value, on one line). */
function SeriesList(props: { series: SeriesSummary[] }) {
  if (props.series.length === 0) return null;
  return (
    <ul class="series-summary">
      {props.series.map((s) => (
        <li>
          <span>
            <code>{s.path}</code>: {grouped(s.count)} values, min {rounded(s.min)}, mean {rounded(s.mean)}, max {rounded(s.max)}
          </span>
          <Spark values={s.spark} min={s.min} max={s.max} />
        </li>
      ))}
    </ul>
  );
}

/** Words of Oura's field names that are acronyms ("hrv_balance" → "HRV balance"). */
const ACRONYMS: Record<string, string> = { hrv: "HRV", rem: "REM", met: "MET", spo2: "SpO2", vo2: "VO2" };
const SKIPPED_FACTS = new Set(["id", "day", "timestamp", "type", "period", "sleep_phase_5_min", "sleep_phase_30_sec", "app_sleep_phase_5_min", "movement_30_sec", "class_5_min", "ring_id", "sleep_algorithm_version"]);
/** Fields Oura gives in seconds: shown as durations. */
const SECONDS = /(_duration|_time|^latency|^time_in_bed|^stress_high|^recovery_high|_activity_time)$/;

/** The document's plain facts in words ("Deep sleep duration: 1 h 20 min"), its nested scores ("Contributors · HRV balance: 82"), at most 24. */
function documentFacts(document: Record<string, unknown>, prefix = ""): { label: string; value: string }[] {
  const facts: { label: string; value: string }[] = [];
  for (const [key, value] of Object.entries(document)) {
    if (SKIPPED_FACTS.has(key) || value === null || value === undefined) continue;
    const words = key.split("_").map((word) => ACRONYMS[word] ?? word).join(" ");
    const label = `${prefix}${words.charAt(0).toUpperCase()}${words.slice(1)}`;
    if (typeof value === "number" && Number.isFinite(value)) facts.push({ label, value: SECONDS.test(key) && value >= 0 ? durationText(value) : rounded(value) });
    else if (typeof value === "string" && value.length <= 80) facts.push({ label, value: value.replaceAll("_", " ") });
    else if (typeof value === "boolean") facts.push({ label, value: value ? "yes" : "no" });
    else if (value && typeof value === "object" && !Array.isArray(value) && !("items" in value) && prefix === "") facts.push(...documentFacts(value as Record<string, unknown>, `${label} · `));
  }
  return facts.slice(0, 24);
}

/** The detail's opening: the event in words, then what its document says, before any JSON. */
function HumanSummary(props: { event: Event }) {
  const { event } = props;
  const facts = event.document ? documentFacts(event.document as Record<string, unknown>) : [];
  return (
    <section class="human-summary" aria-label="Summary">
      <p class="detail-words">
        <strong>{eventWords(event)}</strong> · {typeName(event.data_type)}
        {(event.document as { day?: unknown } | null)?.day && typeof (event.document as { day?: unknown }).day === "string" ? ` of ${(event.document as { day: string }).day}` : ""} ·
        from {eventOrigin(event)}
      </p>
      {facts.length > 0 ? (
        <dl class="facts">
          {facts.map((f) => (
            <div>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </section>
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
      <HumanSummary event={event} />
      {event.document ? <SeriesList series={numericSeries(event.document)} /> : null}
      <h4>Delivery</h4>
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
      {/* The raw JSON, every value of it, below and closed: the summary above is what a wearer reads. */}
      <details class="raw-json">
        <summary>Notification and document (JSON)</summary>
        <h4>Notification</h4>
        <pre>
          <code>{pretty(event.notification)}</code>
        </pre>
        <h4>Document</h4>
        {event.document ? (
          <pre class="document">
            <code>{compactJson(event.document)}</code>
          </pre>
        ) : null}
      </details>
      {event.document ? null : <p class="empty">{documentHint(event)}</p>}
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
export function LiveMessage(props: { event: Event; created: boolean; refreshPanels: boolean; refreshNight?: boolean; context?: FeedContext | undefined }) {
  const { event, created, refreshPanels, refreshNight, context } = props;
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
      {refreshNight ? (
        // Only a page showing the latest night has #night-refresh: one showing a chosen night keeps it.
        <hx-partial hx-target="#night-refresh" hx-swap="innerHTML">
          <span hx-get="/dashboard/night" hx-trigger="load" hx-target="#night" hx-swap="outerHTML"></span>
        </hx-partial>
      ) : null}
    </>
  );
}

/** The live message as the string published to the dashboard's sockets. */
export function liveMessage(event: Event, created: boolean, refreshPanels: boolean, context?: FeedContext, refreshNight = false): string {
  return (<LiveMessage event={event} created={created} refreshPanels={refreshPanels} refreshNight={refreshNight} context={context} />).toString();
}
