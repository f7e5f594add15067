/** @jsxImportSource hono/jsx */
// The dashboard's view of the subscriptions at Oura: the table, the outcome of a sync, the summary in the status strip.
import type { OuraSubscription } from "../oura/client.ts";
import type { SyncReport } from "../oura/subscription-sync.ts";

const DAY_MS = 86_400_000;

export function SubscriptionsTable(props: { subscriptions: OuraSubscription[]; now: number }) {
  const { subscriptions, now } = props;
  if (subscriptions.length === 0) return <p class="empty">No subscriptions yet: use “Subscribe to everything”.</p>;
  const sorted = [...subscriptions].sort((a, b) => a.data_type.localeCompare(b.data_type) || a.event_type.localeCompare(b.event_type));
  return (
    <table class="subscriptions">
      <caption>{subscriptions.length} subscriptions at Oura</caption>
      <thead>
        <tr>
          <th scope="col">Data type</th>
          <th scope="col">Event</th>
          <th scope="col">Expires in</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((s) => {
          const url = `/dashboard/subscriptions/${encodeURIComponent(s.id)}`;
          return (
            <tr id={`sub-${s.id}`}>
              <td>{s.data_type}</td>
              <td>{s.event_type}</td>
              <td>{Math.floor((Date.parse(s.expiration_time) - now) / DAY_MS)} days</td>
              <td>
                <button hx-put={`${url}/renew`} hx-target="#subscriptions" hx-swap="innerHTML">
                  Renew
                </button>{" "}
                <button hx-delete={url} hx-target="#subscriptions" hx-swap="innerHTML" hx-confirm="Delete this subscription?">
                  Delete
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** What "Subscribe to everything" did, then the subscriptions as they now are. */
export function SubscriptionsSynced(props: { report: SyncReport; subscriptions: OuraSubscription[]; now: number }) {
  const { report } = props;
  return (
    <>
      <p role="status">
        Created {report.created.length}, re-pointed {report.repointed.length}, removed {report.deleted.length}, unchanged {report.unchanged}.
      </p>
      <SubscriptionsTable subscriptions={props.subscriptions} now={props.now} />
    </>
  );
}

/** The status strip's one line: `subscriptions` is null when no Oura client is configured. */
export function SubscriptionsSummary(props: { subscriptions: OuraSubscription[] | null; now: number }) {
  const { subscriptions, now } = props;
  if (subscriptions === null) return <>not configured</>;
  if (subscriptions.length === 0) return <>none</>;
  const next = Math.min(...subscriptions.map((s) => Date.parse(s.expiration_time)));
  return (
    <>
      {subscriptions.length} active, next expiry in {Math.max(0, Math.floor((next - now) / DAY_MS))} days
    </>
  );
}
