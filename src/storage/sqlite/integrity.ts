// The whole-file integrity check: PRAGMA quick_check on a read-only connection of its own, in a worker thread, so a
// large database is checked beside serving rather than before it (bench/integrity-check.ts: 0.7 s for 1,000,000 events
// with the file in the page cache, 9.6 s from a cold disk).
import type { Logger } from "../../log.ts";
import type { StorageHealth } from "../storage-status.ts";

export type IntegrityOutcome =
  | { outcome: "ok"; durationMs: number }
  /** quick_check's first findings (or the error SQLite raised reading the file). */
  | { outcome: "damaged"; problems: string[]; durationMs: number }
  /** The check itself could not run (the file was removed, the worker failed): nothing is known. */
  | { outcome: "unknown"; error: string; durationMs: number };

/** At most this many findings are kept: enough to tell an operator where, without reading every damaged page. */
const MAX_PROBLEMS = 5;

// A Blob worker: it needs no file of its own, so it runs the same from source, in tests and in the compiled binary.
const WORKER_SOURCE = `
import { Database } from "bun:sqlite";
self.onmessage = ({ data }) => {
  const started = performance.now();
  const done = (result) => postMessage({ ...result, durationMs: performance.now() - started });
  let db;
  try {
    db = new Database(data.path, { readonly: true });
    db.exec("PRAGMA busy_timeout = 5000");
    const rows = db.query("PRAGMA quick_check(" + data.maxProblems + ")").values().map((row) => String(row[0]));
    done(rows.length === 1 && rows[0] === "ok" ? { outcome: "ok" } : { outcome: "damaged", problems: rows });
  } catch (error) {
    const code = typeof error?.code === "string" ? error.code : "";
    done(/^SQLITE_(CORRUPT|NOTADB)/.test(code) ? { outcome: "damaged", problems: [String(error?.message ?? error)] } : { outcome: "unknown", error: code || String(error?.message ?? error) });
  } finally {
    try { db?.close(); } catch {}
  }
};`;

let workerUrl: string | undefined;

interface RunningCheck {
  readonly result: Promise<IntegrityOutcome>;
  /** Stops the worker (the database is closing); `result` then settles as unknown. */
  cancel(): void;
}

/** Starts PRAGMA quick_check of the file at `path` in a worker thread. */
function startQuickCheck(path: string): RunningCheck {
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
  const started = performance.now();
  const worker = new Worker(workerUrl);
  // Bun's Worker has unref() (DOM typings do not): a check in progress never keeps a stopping process alive.
  (worker as unknown as { unref(): void }).unref();
  let settle: (outcome: IntegrityOutcome) => void = () => undefined;
  const result = new Promise<IntegrityOutcome>((resolve) => {
    settle = (outcome) => {
      settle = () => undefined;
      worker.terminate();
      resolve(outcome);
    };
  });
  worker.onmessage = (message: MessageEvent<IntegrityOutcome>) => settle(message.data);
  worker.onerror = (error) => settle({ outcome: "unknown", error: error.message, durationMs: performance.now() - started });
  worker.postMessage({ path, maxProblems: MAX_PROBLEMS });
  return { result, cancel: () => settle({ outcome: "unknown", error: "cancelled: the database was closed", durationMs: performance.now() - started }) };
}

/** The check's state for /health: running, or how the last one ended; null before the first. */
export type IntegrityStatus = NonNullable<StorageHealth["integrity"]>;

/** One file's checks: runs one at a time, keeps the last outcome for /health, logs it, and reports damage. */
export class IntegrityCheck {
  #status: IntegrityStatus | null = null;
  #running: { check: RunningCheck; done: Promise<"ok" | "failed" | "skipped"> } | undefined;

  constructor(
    private readonly path: string,
    private readonly onDamage: (detail: string) => void,
    private readonly logger?: Logger,
  ) {}

  get status(): IntegrityStatus | null {
    return this.#status;
  }

  /** Starts a check, or joins the one running; "skipped" in memory or when it could not run (logged). */
  run(): Promise<"ok" | "failed" | "skipped"> {
    if (this.path === ":memory:") return Promise.resolve("skipped");
    if (!this.#running) {
      this.#status = { state: "running", checked_at: null, duration_ms: null };
      const check = startQuickCheck(this.path);
      this.#running = { check, done: this.#finish(check).finally(() => (this.#running = undefined)) };
    }
    return this.#running.done;
  }

  cancel(): void {
    this.#running?.check.cancel();
  }

  async #finish(check: RunningCheck): Promise<"ok" | "failed" | "skipped"> {
    const result = await check.result;
    const finished = { checked_at: new Date().toISOString(), duration_ms: Math.round(result.durationMs) };
    if (result.outcome === "ok") {
      this.#status = { state: "ok", ...finished };
      this.logger?.info("storage.integrity_ok", { path: this.path, duration_ms: finished.duration_ms });
      return "ok";
    }
    if (result.outcome === "damaged") {
      this.#status = { state: "failed", ...finished };
      this.onDamage(`quick_check: ${result.problems.join("; ")}`);
      return "failed";
    }
    this.#status = null;
    this.logger?.warn("storage.integrity_unchecked", { path: this.path, error: result.error });
    return "skipped";
  }
}
