// Polling: keeps every linked user's data current without webhooks (hosts Oura cannot reach), and with webhooks is
// the safety net that repairs what they missed. Each (user, data type) has its own next run, kept in the database so
// a restart neither repeats nor skips work. A run reads the list route over the last POLL_LOOKBACK_DAYS, padded by a
// day on each side (days are the wearer's local days), follows every next_token page, and stores what is new or
// changed; one failing user or type never holds back the others.
import type { TokenManager } from "../auth/token-manager.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { type ListWindow, type OuraClient, OuraApiError } from "../oura/client.ts";
import { emptyRead, readListWindow, type WindowRead } from "./list-reader.ts";
import { listFamily } from "../oura/data-types.ts";
import type { Accounts } from "../storage/accounts.ts";
import type { Event } from "../storage/events.ts";
import type { PollStore } from "../storage/polls.ts";
import { PeriodicJob } from "./periodic.ts";

const DAY_MS = 86_400_000;
/** How often the loop looks for due (user, type) pairs; each pair runs once per interval. */
const CHECK_EVERY_MS = 5_000;
/** After a failure other than a rate limit, the pair is tried again this soon (or at its interval, if shorter). */
const RETRY_AFTER_FAILURE_MS = 5 * 60_000;

export interface PollerDeps {
  polls: PollStore;
  accounts: Pick<Accounts, "list">;
  tokens: TokenManager;
  oura: OuraClient;
  /** Told of every event a poll added (new or changed documents); the realtime layer renders and publishes it. */
  onEventAdded: (event: Event) => void;
  logger: Logger;
  metrics?: Metrics;
  now?: () => number;
  intervalSeconds: number;
  lookbackDays: number;
  dataTypes: string[];
  /** "poll" (POLLING_ENABLED) or "reconcile" (the daily safety net with polling off): names the log lines. */
  mode: "poll" | "reconcile";
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The window of one run: whole days for documents, instants for time series (both padded by a day). */
export function pollWindow(dataType: string, nowMs: number, lookbackDays: number): ListWindow | undefined {
  const family = listFamily(dataType);
  if (family === "undated") return undefined;
  if (family === "time_series") return { startDateTime: new Date(nowMs - (lookbackDays + 1) * DAY_MS).toISOString(), endDateTime: new Date(nowMs).toISOString() };
  return { startDate: day(nowMs - (lookbackDays + 1) * DAY_MS), endDate: day(nowMs + DAY_MS) };
}

export class Poller {
  readonly #loop: PeriodicJob;
  readonly #now: () => number;
  #abort = new AbortController();

  constructor(private readonly deps: PollerDeps) {
    this.#now = deps.now ?? Date.now;
    this.#loop = new PeriodicJob(`${deps.mode}.tick`, () => this.tick(), deps.logger);
  }

  start(checkEveryMs = CHECK_EVERY_MS): void {
    this.#abort = new AbortController();
    this.#loop.start(checkEveryMs, { immediately: true });
  }

  /** Abandons the request in flight (nothing half-written: a page is stored in one commit) and waits for the tick. */
  async stop(): Promise<void> {
    this.#abort.abort(new Error("stopping"));
    await this.#loop.stop();
  }

  /** Runs every (user, type) pair that is due, users in turn; returns how many runs were made. */
  async tick(): Promise<number> {
    const now = this.#now();
    const nextRun = new Map((await this.deps.polls.pollStates()).map((state) => [`${state.user_id}\u0000${state.data_type}`, state.next_run_at_ms]));
    const accounts = this.deps.accounts.list();
    const users = accounts.map((account) => account.user_id);
    const mustSignIn = new Set(accounts.filter((account) => account.needs_reauth).map((account) => account.user_id));
    let runs = 0;
    for (const dataType of this.deps.dataTypes) {
      for (const userId of users) {
        if (this.#abort.signal.aborted) return runs;
        const due = nextRun.get(`${userId}\u0000${dataType}`);
        // Nothing can be read for a user whose sign-in Oura refused: say so where polling is watched, every interval.
        if (mustSignIn.has(userId)) {
          if ((due ?? 0) <= now) {
            const error = "Oura refused this user's sign-in: they must sign in with Oura again";
            await this.deps.polls.recordPollRun({ userId, dataType, error, nextRunAtMs: now + this.deps.intervalSeconds * 1000, seen: 0, created: 0, updated: 0, onlyByPolling: 0 });
          }
          continue;
        }
        // The reconciliation's first run comes one interval after it first sees a user (just signed in: nothing
        // missed yet); a poll's comes at once.
        if (due === undefined && this.deps.mode === "reconcile") {
          await this.deps.polls.schedulePoll(userId, dataType, now + this.deps.intervalSeconds * 1000);
          continue;
        }
        if ((due ?? 0) > now) continue;
        await this.runOne(userId, dataType);
        runs++;
      }
    }
    return runs;
  }

  /** One run of one user and data type, recorded whatever happens (but for a stop, which leaves it due). */
  async runOne(userId: string, dataType: string): Promise<WindowRead | undefined> {
    const { polls, logger, metrics } = this.deps;
    const intervalMs = this.deps.intervalSeconds * 1000;
    const read = emptyRead();
    try {
      await readListWindow(this.deps, {
        userId,
        dataType,
        window: pollWindow(dataType, this.#now(), this.deps.lookbackDays),
        priority: "poll",
        signal: this.#abort.signal,
        now: this.#now,
      }, read);
      await polls.recordPollRun({ userId, dataType, nextRunAtMs: this.#now() + intervalMs, ...read });
      metrics?.polls.inc({ outcome: "ok" });
      if (read.created + read.updated > 0) logger.info(`${this.deps.mode}.stored`, { data_type: dataType, created: read.created, updated: read.updated, only_by_polling: read.onlyByPolling });
      return read;
    } catch (error) {
      if (this.#abort.signal.aborted) return undefined;
      const { message, retryInMs } = this.#describe(error, intervalMs);
      logger.warn(`${this.deps.mode}.failed`, { data_type: dataType, error: message });
      metrics?.polls.inc({ outcome: "failed" });
      // Pages stored before the failure are kept (each in its own commit), and counted.
      await polls.recordPollRun({ userId, dataType, error: message, nextRunAtMs: this.#now() + retryInMs, ...read });
      return undefined;
    }
  }

  #describe(error: unknown, intervalMs: number): { message: string; retryInMs: number } {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof OuraApiError) {
      if (error.status === 429) return { message, retryInMs: Math.max(1, error.retryAfterSeconds ?? 60) * 1000 };
      if (error.status === 403) return { message: `${message} (a missing scope or a lapsed Oura membership)`, retryInMs: intervalMs };
    }
    return { message, retryInMs: Math.min(intervalMs, RETRY_AFTER_FAILURE_MS) };
  }
}
