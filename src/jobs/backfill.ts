// History backfill: walks a user's history in steps — one window of one data type — newest first, so recent charts
// fill first. Windows are 30 days for documents and 7 for heart rate (5-minute samples: ~2,000 a week), padded by a
// day each side like polls (a document on a boundary is read twice and stored once). Progress is kept after every
// step, so a restart resumes from the last finished one; a cancel stops before the next request.
import type { Logger } from "../log.ts";
import type { ListWindow } from "../oura/client.ts";
import { OuraApiError } from "../oura/client.ts";
import { OuraUnavailable } from "../oura/circuit-breaker.ts";
import { listFamily } from "../oura/data-types.ts";
import type { Backfill, Backfills } from "../storage/backfills.ts";
import { type ListReaderDeps, NoUsableToken, readListWindow } from "./list-reader.ts";
import { PeriodicJob } from "./periodic.ts";

const DAY_MS = 86_400_000;
const DOCUMENT_WINDOW_DAYS = 30;
const SERIES_WINDOW_DAYS = 7;
/** A step that fails for another reason than a rate limit is tried this many times before the backfill fails. */
const MAX_STEP_ATTEMPTS = 5;

export interface BackfillStep {
  dataType: string;
  window: ListWindow | undefined;
}

const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Every step of a backfill, in the order they run: 30-day bands newest first; in each, every type. */
export function backfillSteps(startDate: string, endDate: string, dataTypes: string[]): BackfillStep[] {
  const steps: BackfillStep[] = [];
  const first = dayMs(startDate);
  let bandEnd = dayMs(endDate);
  let newest = true;
  while (bandEnd >= first) {
    const bandStart = Math.max(first, bandEnd - (DOCUMENT_WINDOW_DAYS - 1) * DAY_MS);
    for (const dataType of dataTypes) {
      const family = listFamily(dataType);
      if (family === "undated") {
        if (newest) steps.push({ dataType, window: undefined });
      } else if (family === "dated") {
        steps.push({ dataType, window: { startDate: dayOf(bandStart - DAY_MS), endDate: dayOf(bandEnd + DAY_MS) } });
      } else {
        for (let end = bandEnd + DAY_MS; end > bandStart; end -= SERIES_WINDOW_DAYS * DAY_MS) {
          const start = Math.max(bandStart - DAY_MS, end - SERIES_WINDOW_DAYS * DAY_MS);
          steps.push({ dataType, window: { startDateTime: new Date(start).toISOString(), endDateTime: new Date(end).toISOString() } });
        }
      }
    }
    newest = false;
    bandEnd = bandStart - DAY_MS;
  }
  return steps;
}

export interface BackfillRunnerDeps extends ListReaderDeps {
  backfills: Backfills;
  /** Told of every change of a backfill's progress or state (the realtime layer publishes it). */
  onProgress: (backfill: Backfill) => void;
  logger: Logger;
  now?: () => number;
}

export class BackfillRunner {
  readonly #loop: PeriodicJob;
  readonly #now: () => number;
  #abort = new AbortController();
  /** Per backfill: the cancel of its request in flight. */
  readonly #inFlight = new Map<number, AbortController>();
  readonly #attempts = new Map<number, number>();
  /** Each backfill's steps, computed once (a ten-year import has thousands). */
  readonly #plans = new Map<number, BackfillStep[]>();

  constructor(private readonly deps: BackfillRunnerDeps) {
    this.#now = deps.now ?? Date.now;
    this.#loop = new PeriodicJob("backfill.tick", () => this.tick(), deps.logger);
  }

  start(intervalMs = 1_000): void {
    this.#abort = new AbortController();
    this.#loop.start(intervalMs, { immediately: true });
  }

  /**
   * Queues an import of `userId`'s history and wakes the loop; or returns the user's unfinished one (`created`
   * false): one at a time per user. The caller has checked that the user is linked and may be imported.
   */
  async queue(request: { userId: string; startDate: string; endDate: string; dataTypes: string[] }): Promise<{ backfill: Backfill; created: boolean }> {
    const steps = backfillSteps(request.startDate, request.endDate, request.dataTypes).length;
    const outcome = await this.deps.backfills.createBackfill({
      user_id: request.userId,
      start_date: request.startDate,
      end_date: request.endDate,
      data_types: request.dataTypes,
      steps_total: steps,
    });
    if (outcome.created) {
      this.deps.logger.info("backfill.queued", { id: outcome.backfill.id, steps });
      this.#loop.wake();
    }
    return outcome;
  }

  async stop(): Promise<void> {
    this.#abort.abort(new Error("stopping"));
    await this.#loop.stop();
  }

  /** Stops a backfill before its next request (the one in flight is abandoned). */
  async cancel(id: number): Promise<Backfill | undefined> {
    const cancelled = await this.deps.backfills.setBackfillState(id, "cancelled");
    this.#inFlight.get(id)?.abort(new Error("cancelled"));
    if (cancelled) this.deps.onProgress(cancelled);
    return cancelled;
  }

  /** Runs unfinished backfills a step at a time, users in turn, until none is left (or the server stops). */
  async tick(): Promise<number> {
    let steps = 0;
    for (;;) {
      const active = await this.deps.backfills.activeBackfills();
      if (active.length === 0 || this.#abort.signal.aborted) return steps;
      let progressed = false;
      for (const backfill of active) {
        if (this.#abort.signal.aborted) return steps;
        if (await this.#step(backfill)) {
          steps++;
          progressed = true;
        }
      }
      // Every active backfill is waiting (a failing step's next attempt): the next tick tries again.
      if (!progressed) return steps;
    }
  }

  /** Runs the backfill's next step; false when it did not progress (failed attempt, cancelled, finished). */
  async #step(backfill: Backfill): Promise<boolean> {
    const { backfills, logger } = this.deps;
    let steps = this.#plans.get(backfill.id);
    if (!steps) this.#plans.set(backfill.id, (steps = backfillSteps(backfill.start_date, backfill.end_date, backfill.data_types)));
    if (backfill.steps_done >= steps.length) {
      this.#plans.delete(backfill.id);
      const done = await backfills.setBackfillState(backfill.id, "done");
      if (done) {
        logger.info("backfill.done", { id: backfill.id, documents: done.documents_stored, requests: done.requests_used });
        this.deps.onProgress(done);
      }
      return false;
    }
    if (backfill.state === "queued") {
      const running = await backfills.setBackfillState(backfill.id, "running");
      if (!running) return false;
      this.deps.onProgress(running);
    }
    const step = steps[backfill.steps_done]!;
    const cancel = new AbortController();
    this.#inFlight.set(backfill.id, cancel);
    const started = performance.now();
    try {
      const read = await readListWindow(this.deps, {
        userId: backfill.user_id,
        dataType: step.dataType,
        window: step.window,
        priority: "backfill",
        signal: AbortSignal.any([cancel.signal, this.#abort.signal]),
        now: this.#now,
      });
      this.#attempts.delete(backfill.id);
      return this.#recordStep(backfill.id, read.created + read.updated + read.samples, read.requests, performance.now() - started);
    } catch (error) {
      if (cancel.signal.aborted || this.#abort.signal.aborted) return false;
      return this.#stepFailed(backfill, step, error, performance.now() - started);
    } finally {
      this.#inFlight.delete(backfill.id);
    }
  }

  async #recordStep(id: number, documents: number, requests: number, busyMs: number): Promise<boolean> {
    const updated = await this.deps.backfills.recordBackfillStep(id, { documents, requests, busyMs });
    if (!updated) return false;
    this.deps.onProgress(updated);
    return true;
  }

  async #stepFailed(backfill: Backfill, step: BackfillStep, error: unknown, busyMs: number): Promise<boolean> {
    const message = error instanceof Error ? error.message : String(error);
    // A missing scope for one type does not stop the import of the others: the step counts as done, without data.
    if (error instanceof OuraApiError && error.status === 403) {
      this.deps.logger.warn("backfill.type_refused", { id: backfill.id, data_type: step.dataType, error: message });
      return this.#recordStep(backfill.id, 0, 1, busyMs);
    }
    // Rate limited: the budget now waits for Oura's Retry-After; the step is simply tried again. Likewise while Oura
    // is treated as down: the breaker sends nothing until its probe, and an outage does not use up the attempts.
    if (error instanceof OuraApiError && error.status === 429) return false;
    if (error instanceof OuraUnavailable) return false;
    const attempts = (this.#attempts.get(backfill.id) ?? 0) + 1;
    this.#attempts.set(backfill.id, attempts);
    if (error instanceof NoUsableToken || attempts >= MAX_STEP_ATTEMPTS) {
      this.#attempts.delete(backfill.id);
      const failed = await this.deps.backfills.setBackfillState(backfill.id, "failed", `${step.dataType}: ${message}`);
      this.deps.logger.warn("backfill.failed", { id: backfill.id, data_type: step.dataType, error: message });
      if (failed) this.deps.onProgress(failed);
      return false;
    }
    this.deps.logger.warn("backfill.retry", { id: backfill.id, data_type: step.dataType, attempt: attempts, error: message });
    return false;
  }
}

/** What the API, the WebSocket and the dashboard show of a backfill. */
export function backfillProgress(backfill: Backfill) {
  const { busy_ms, ...rest } = backfill;
  const remaining = backfill.steps_total - backfill.steps_done;
  const perStep = backfill.steps_done > 0 ? busy_ms / backfill.steps_done : undefined;
  const unfinished = backfill.state === "queued" || backfill.state === "running";
  return {
    ...rest,
    percent: backfill.steps_total === 0 ? 100 : Math.floor((backfill.steps_done / backfill.steps_total) * 100),
    eta_seconds: unfinished && perStep !== undefined ? Math.ceil((remaining * perStep) / 1000) : null,
  };
}
