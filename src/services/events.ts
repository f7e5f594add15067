// The event log as each principal may see it: an operator every user's, a wearer their own, a guest nothing; and the
// operator's "retry failed fetches".
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireOura } from "./require-oura.ts";
import type { Event, EventFilter } from "../storage/events.ts";

const notFound = (id: number) => new AppError(404, "event_not_found", `no event with id ${id}`);

export type EventServiceDeps = Pick<AppDeps, "events" | "fetchQueue" | "logger" | "sync">;

export function eventService(deps: EventServiceDeps) {
  const { events, fetchQueue } = deps;
  return {
    /** A page of the events the principal may see; `total_stored` counts only theirs (other users' sizes are not a wearer's business). */
    async list(principal: Principal, filter: EventFilter, page: { limit: number; cursor?: string }) {
      const only = principal.scope(filter.user_id);
      const totalOf = principal.scope();
      const total = totalOf === null ? 0 : await events.countEvents(totalOf);
      if (only === null) return { events: [] as Event[], nextCursor: null, total };
      const found = await events.listEvents({ ...filter, user_id: only }, page);
      return { ...found, total };
    },

    async get(principal: Principal, id: number): Promise<Event> {
      const event = await events.getEvent(id);
      if (!event || !principal.canSee(event.user_id)) throw notFound(id);
      return event;
    },

    /** An event with the other events of the same document (oldest first), for the dashboard's detail. */
    async withHistory(principal: Principal, id: number) {
      const event = await this.get(principal, id);
      const history = (await events.listEvents({ user_id: event.user_id, data_type: event.data_type, object_id: event.object_id }, { limit: 20 })).events.reverse();
      return { event, history };
    },

    /** Deleting stored events is the operator's (a wearer's own data leaves with unlink and purge). */
    async remove(principal: Principal, filter: EventFilter): Promise<number> {
      principal.requireOperator("delete stored events");
      const deleted = await events.deleteEvents(filter);
      deps.logger.info("events.deleted", { count: deleted, ...filter });
      return deleted;
    },

    /**
     * Every failed fetch back in the queue, due now with its attempts reset: for after an outage, or a scope granted
     * since. (Those that gave up on a transient failure are queued again by themselves when Oura recovers.) Operators only.
     */
    async retryFailed(principal: Principal): Promise<number> {
      principal.requireOperator("retry failed fetches");
      requireOura(deps, "fetch documents");
      const requeued = await fetchQueue.requeueFailedFetches();
      deps.logger.info("fetch.requeued_by_operator", { count: requeued });
      if (requeued > 0) deps.sync?.fetcher.wake();
      return requeued;
    },
  };
}
