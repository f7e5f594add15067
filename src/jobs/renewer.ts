// Keeps webhook subscriptions alive: renews those expiring within SUBSCRIPTION_RENEW_DAYS, at start and twice a day.
import type { Logger } from "../log.ts";
import type { OuraClient } from "../oura/client.ts";
import { renewExpiring } from "../oura/subscription-sync.ts";
import { PeriodicJob } from "./periodic.ts";

const TWELVE_HOURS = 12 * 3_600_000;

export class SubscriptionRenewer {
  readonly #loop: PeriodicJob;

  constructor(
    private readonly oura: OuraClient,
    private readonly withinDays: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.#loop = new PeriodicJob("subscriptions.renew", () => this.tick(), logger);
  }

  start(intervalMs = TWELVE_HOURS): void {
    this.#loop.start(intervalMs, { immediately: true });
  }

  /** Awaits a renewal under way: shutdown must not close what it is using. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Never throws: an unreachable Oura is logged and tried again next time. */
  async tick(): Promise<number> {
    try {
      const renewed = await renewExpiring(this.oura, this.withinDays, this.now(), this.logger);
      this.logger.info("subscriptions.renew_checked", { renewed: renewed.length });
      return renewed.length;
    } catch (error) {
      this.logger.warn("subscriptions.renew_failed", { error: error instanceof Error ? error.message : String(error) });
      return 0;
    }
  }
}
