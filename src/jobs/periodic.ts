// One way to run a loop: start (optionally at once), wake for a run now, a stop that awaits the run under way, one run
// at a time, and failures logged rather than thrown (a loop that dies silently is worse than one that says why).
import type { Logger } from "../log.ts";

export class PeriodicJob {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  /** `name` prefixes the failure log line: `${name}_failed`. */
  constructor(
    private readonly name: string,
    private readonly work: () => unknown,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number, options: { immediately?: boolean } = {}): void {
    this.#stopped = false;
    this.#timer ??= setInterval(() => this.wake(), intervalMs);
    if (options.immediately) this.wake();
  }

  /** A run now, or — if one is under way — once more right after it, so nothing asked for meanwhile is missed. */
  wake(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.tick().then(() => {
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** Runs the work now, or joins the run under way. Never rejects. */
  tick(): Promise<void> {
    this.#running ??= (async () => {
      try {
        await this.work();
      } catch (error) {
        this.logger.error(`${this.name}_failed`, { error: error instanceof Error ? error.message : String(error) });
      }
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#again = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
