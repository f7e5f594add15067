// Keeps webhook subscriptions alive: renews those expiring within SUBSCRIPTION_RENEW_DAYS, at start and twice a day.
import type { Logger } from "../log.ts";
import type { OuraClient } from "../oura/client.ts";
import { renewExpiring } from "../oura/subscription-sync.ts";

const TWELVE_HOURS = 12 * 3_600_000;

export class SubscriptionRenewer {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly oura: OuraClient,
    private readonly withinDays: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(intervalMs = TWELVE_HOURS): void {
    this.#timer ??= setInterval(() => void this.tick(), intervalMs);
    void this.tick();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
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
