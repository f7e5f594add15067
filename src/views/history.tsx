/** @jsxImportSource hono/jsx */
// The history panel: a running import's progress bar (refreshed every second while it runs), and for each linked user
// who never imported anything, the offer to import the last 90 days.
import type { backfillProgress } from "../jobs/backfill.ts";

type Progress = ReturnType<typeof backfillProgress>;

const eta = (seconds: number | null) => (seconds === null ? "" : seconds < 90 ? `, about ${seconds} s left` : `, about ${Math.round(seconds / 60)} min left`);

/** `names`: how each user is known here (their email), shown instead of the Oura id. */
export function HistoryPanel(props: { backfills: Progress[]; offerFor: string[]; names?: ReadonlyMap<string, string> }) {
  const nameOf = (userId: string) => props.names?.get(userId) ?? userId;
  const running = props.backfills.some((b) => b.state === "queued" || b.state === "running");
  if (props.backfills.length === 0 && props.offerFor.length === 0) return <section id="history" class="history" hidden></section>;
  return (
    <section id="history" class="history" aria-labelledby="history-title" {...(running ? { "hx-get": "/dashboard/history", "hx-trigger": "every 1s", "hx-swap": "outerHTML" } : {})}>
      <h2 id="history-title">History</h2>
      {props.offerFor.map((userId) => (
        <p class="offer">
          Bring in what your ring recorded before this server saw it:{" "}
          <button class="primary" hx-post={`/dashboard/history/${encodeURIComponent(userId)}`} hx-target="#history" hx-swap="outerHTML">
            Import the last 90 days
          </button>
          {props.offerFor.length > 1 ? <small> ({nameOf(userId)})</small> : null}
        </p>
      ))}
      {props.backfills.map((b) => (
        <div class={`backfill ${b.state}`} id={`backfill-${b.id}`}>
          <label for={`backfill-bar-${b.id}`}>
            {b.state === "done" ? "Imported" : b.state === "running" || b.state === "queued" ? "Importing" : b.state === "cancelled" ? "Import cancelled:" : "Import failed:"} {b.start_date} to {b.end_date}
            {" "}({nameOf(b.user_id)})
          </label>
          <progress id={`backfill-bar-${b.id}`} max={100} value={b.percent}>
            {b.percent}%
          </progress>
          <p class="backfill-numbers">
            {b.percent}% · {b.steps_done} of {b.steps_total} windows · {b.documents_stored.toLocaleString("en-US")} stored · {b.requests_used} requests
            {eta(b.eta_seconds)}
            {b.error ? ` · ${b.error}` : ""}
          </p>
        </div>
      ))}
    </section>
  );
}
