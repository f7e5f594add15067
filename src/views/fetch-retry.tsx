/** @jsxImportSource hono/jsx */
// The operator's "Retry failed fetches" button, and the note its answer puts beside it.

export function RetryFailedButton() {
  return (
    <span class="retry-failed">
      <button id="retry-failed" type="button" hx-post="/dashboard/fetches/retry-failed" hx-target="#retry-failed-note" hx-swap="innerHTML">
        Retry failed fetches
      </button>{" "}
      <span id="retry-failed-note" role="status"></span>
    </span>
  );
}

export function RetryFailedNote(props: { requeued: number }) {
  const { requeued } = props;
  return <>{requeued === 0 ? "no failed fetch to retry" : `${requeued.toLocaleString("en-US")} ${requeued === 1 ? "fetch" : "fetches"} queued again`}</>;
}
