// Free space on the volume that holds the database: measured every second, warned about (rate-limited) before it runs
// out, and told to the database file so it keeps its write-ahead log short while space is tight.
import { statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Logger } from "../../log.ts";
import type { DiskSpace } from "../storage-status.ts";

const MiB = 2 ** 20;

/**
 * Below this the log is kept short (checkpointed and truncated). 64 MiB is four times the longest log the server
 * otherwise lets grow (4,000 pages, 16 MiB, see database.ts): a checkpoint then still has room to copy the log into
 * the database before handing the log's space back.
 */
export const TIGHT_DISK_BYTES = 64 * MiB;
/** The warning comes earlier on a large volume: at 5% free, the share at which disks are usually alerted on. */
const LOW_DISK_SHARE = 0.05;
/** One warning per ten minutes while space stays low, so a server at 96% full does not log every second. */
const WARN_EVERY_MS = 10 * 60_000;

export interface DiskWatchOptions {
  /** Replaces "64 MiB or 5%, whichever is more" (tests). */
  lowBelowBytes?: number;
  /** Replaces 64 MiB (tests). */
  tightBelowBytes?: number;
  now?: () => number;
  statfs?: (folder: string) => { bavail: number; blocks: number; bsize: number };
}

export class DiskWatch {
  readonly #folder: string | undefined;
  readonly #now: () => number;
  readonly #statfs: NonNullable<DiskWatchOptions["statfs"]>;
  #last: DiskSpace | null = null;
  #lastWarningAt: number | undefined;
  #warnedThisSpell = false;

  constructor(
    path: string,
    private readonly logger: Logger | undefined,
    private readonly options: DiskWatchOptions = {},
  ) {
    this.#folder = path === ":memory:" ? undefined : dirname(resolve(path));
    this.#now = options.now ?? Date.now;
    this.#statfs = options.statfs ?? ((folder) => statfsSync(folder));
  }

  /** The last measurement (null in memory, or when the volume could never be read). */
  get last(): DiskSpace | null {
    return this.#last;
  }

  /** True while free space is below 64 MiB: the log is to be kept short. */
  get tight(): boolean {
    return this.#last !== null && this.#last.free_bytes < (this.options.tightBelowBytes ?? TIGHT_DISK_BYTES);
  }

  /** Measures again (a statfs: a few microseconds) and warns when space runs low. */
  measure(): DiskSpace | null {
    if (this.#folder === undefined) return null;
    let stats: ReturnType<NonNullable<DiskWatchOptions["statfs"]>>;
    try {
      stats = this.#statfs(this.#folder);
    } catch {
      // The folder itself is gone: the database file's own check reports that.
      return this.#last;
    }
    const total = stats.blocks * stats.bsize;
    const free = stats.bavail * stats.bsize;
    const lowBelow = this.options.lowBelowBytes ?? Math.max(TIGHT_DISK_BYTES, Math.round(total * LOW_DISK_SHARE));
    this.#last = { free_bytes: free, total_bytes: total, low_below_bytes: lowBelow, low: free < lowBelow };
    this.#warn(this.#last);
    return this.#last;
  }

  #warn(space: DiskSpace): void {
    if (!space.low) {
      if (this.#warnedThisSpell) this.logger?.info("storage.disk_space_ok", { folder: this.#folder, free_bytes: space.free_bytes });
      this.#warnedThisSpell = false;
      return;
    }
    const now = this.#now();
    if (this.#lastWarningAt !== undefined && now - this.#lastWarningAt < WARN_EVERY_MS) return;
    this.#lastWarningAt = now;
    this.#warnedThisSpell = true;
    this.logger?.warn("storage.disk_low", {
      folder: this.#folder,
      free_bytes: space.free_bytes,
      total_bytes: space.total_bytes,
      low_below_bytes: space.low_below_bytes,
      effect: "when the volume is full, webhooks answer 503 and Oura retries them; make room or move DATABASE_PATH to a larger volume",
    });
  }
}
