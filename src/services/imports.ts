// History imports: a wearer imports their own history, an operator anyone's. One import at a time per user; the
// runner takes one step of each user's import in turn, so a ten-year import shares the request budget with a
// 90-day one instead of making it wait (and webhook fetches always go before any import: oura/request-budget.ts).
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { backfillProgress } from "../jobs/backfill.ts";
import type { Backfill } from "../storage/backfills.ts";

const DAY_MS = 86_400_000;
/** The dashboard's offer: the last 90 days (today included). */
export const RECENT_IMPORT_DAYS = 90;

export interface ImportRequest {
  userId?: string;
  startDate: string;
  endDate: string;
  dataTypes?: string[];
}

export type ImportServiceDeps = Pick<AppDeps, "sync" | "backfillStore" | "accounts" | "config" | "now">;

export function importService(deps: ImportServiceDeps) {
  const notFound = (id: number) => new AppError(404, "backfill_not_found", `no backfill ${id}`);

  async function visible(principal: Principal, id: number): Promise<Backfill> {
    const backfill = await deps.backfillStore.getBackfill(id);
    if (!backfill || !principal.canSee(backfill.user_id)) throw notFound(id);
    return backfill;
  }

  return {
    /** Queues an import; `created` false when the user's previous one is not finished (it is returned instead). */
    async queue(principal: Principal, request: ImportRequest) {
      const userId = request.userId ?? (principal.isOperator ? undefined : (principal.userId ?? undefined));
      if (userId === undefined) throw new AppError(400, "user_required", "say which user to import (user_id)");
      if (!principal.canSee(userId)) throw new AppError(404, "user_not_linked", `${userId} has not signed in with Oura`);
      if (!deps.sync) throw new AppError(503, "oura_not_configured", "imports need Oura sign-in (OURA_CLIENT_ID and OURA_CLIENT_SECRET)");
      if (!deps.accounts.list(userId).length) throw new AppError(404, "user_not_linked", `${userId} has not signed in with Oura`);
      return deps.sync.imports.queue({ userId, startDate: request.startDate, endDate: request.endDate, dataTypes: request.dataTypes ?? deps.config.polling.dataTypes });
    },

    /** The dashboard's one-click import of the last RECENT_IMPORT_DAYS days. */
    queueRecent(principal: Principal, userId: string) {
      const end = new Date(deps.now()).toISOString().slice(0, 10);
      const start = new Date(deps.now() - (RECENT_IMPORT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
      return this.queue(principal, { userId, startDate: start, endDate: end });
    },

    async list(principal: Principal, limit?: number): Promise<Backfill[]> {
      const only = principal.scope();
      return only === null ? [] : deps.backfillStore.listBackfills(only, limit);
    },

    get: visible,

    async cancel(principal: Principal, id: number): Promise<Backfill> {
      const backfill = await visible(principal, id);
      return (await deps.sync?.imports.cancel(backfill.id)) ?? backfill;
    },

    /** The dashboard's history panel: the latest import per visible user, and the offer for users who never imported. */
    async panel(principal: Principal) {
      const backfills = (await this.list(principal, 20)).map(backfillProgress);
      const seen = new Set(backfills.map((b) => b.user_id));
      const only = principal.scope();
      const linked = only === null ? [] : deps.accounts.list(only);
      const offerFor = deps.sync ? linked.filter((a) => !a.needs_reauth && !seen.has(a.user_id)).map((a) => a.user_id) : [];
      const latest = backfills.filter((b, i) => backfills.findIndex((o) => o.user_id === b.user_id) === i);
      return { backfills: latest, offerFor };
    },
  };
}
