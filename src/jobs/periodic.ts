// One way to run a loop: start, a stop that awaits the tick under way, one tick at a time, and failures logged rather
// than thrown (a loop that dies silently is worse than one that says why it failed).
import type { Logger } from "../log.ts";

export class PeriodicJob {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly work: () => unknown,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => void this.tick(), intervalMs);
  }

  /** Runs the work now, or joins the run under way. Never rejects. */
  tick(): Promise<void> {
    this.#running ??= (async () => {
      try {
        await this.work();
      } catch (error) {
        this.logger.error(`${this.name}.failed`, { error: error instanceof Error ? error.message : String(error) });
      }
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
