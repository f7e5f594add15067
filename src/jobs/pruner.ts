// Retention: deletes events older than RETENTION_DAYS in small batches (the event loop serves webhooks between
// batches), then hands the space back. Documents are kept: they are the latest state, not the log.
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Retention } from "../storage/retention.ts";
import { PeriodicJob } from "./periodic.ts";

/** Small slices with a pause between them: each slice (delete + commit) holds the loop for about a millisecond. */
const BATCH = 100;
const VACUUM_PAGES = 128;
const PAUSE_MS = 2;
const pause = () => new Promise((resolve) => setTimeout(resolve, PAUSE_MS));

export interface PruneReport {
  cutoff: string;
  deleted: number;
}

export class RetentionPruner {
  readonly #loop: PeriodicJob;
  #last: PruneReport | undefined;

  constructor(
    private readonly store: Retention,
    private readonly retentionDays: number,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    this.#loop = new PeriodicJob("retention", async () => (this.#last = await this.#prune()), logger);
  }

  cutoff(): string {
    return new Date(this.now() - this.retentionDays * 86_400_000).toISOString();
  }

  start(intervalSeconds: number): void {
    if (this.retentionDays > 0) this.#loop.start(intervalSeconds * 1000, { immediately: true });
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** One pass (or the one under way): every expired event, batch by batch. Never throws. */
  async tick(): Promise<PruneReport | undefined> {
    this.#last = undefined;
    await this.#loop.tick();
    return this.#last;
  }

  async #prune(): Promise<PruneReport | undefined> {
    if (this.retentionDays <= 0) return undefined;
    const cutoff = this.cutoff();
    let deleted = 0;
    try {
      for (;;) {
        const batch = await this.store.pruneEvents(cutoff, BATCH);
        deleted += batch;
        this.metrics?.pruned.inc({}, batch);
        if (batch < BATCH) break;
        // Let queued requests run between batches so webhook latency does not spike.
        await pause();
      }
      // Space goes back a slice at a time too: one vacuum of a million rows' pages would hold the loop for long.
      while (deleted > 0 && (await this.store.reclaimSpace(VACUUM_PAGES)) > 0) await pause();
      this.logger.info("retention.pruned", { deleted, cutoff });
      return { cutoff, deleted };
    } catch (error) {
      this.logger.error("retention.failed", { error: error instanceof Error ? error.message : String(error) });
      return { cutoff, deleted };
    }
  }
}
