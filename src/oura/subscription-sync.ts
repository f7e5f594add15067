// Makes Oura's subscriptions exactly "every data type × create/update/delete at our callback URL", and renews those
// about to expire. Repeatable: a second sync changes nothing.
import type { Logger } from "../log.ts";
import type { OuraClient, OuraSubscription } from "./client.ts";
import { WEBHOOK_DATA_TYPES, WEBHOOK_EVENT_TYPES } from "./data-types.ts";

export interface SyncReport {
  callback_url: string;
  created: OuraSubscription[];
  repointed: OuraSubscription[];
  deleted: string[];
  unchanged: number;
}

export async function syncSubscriptions(oura: OuraClient, callbackUrl: string, verificationToken: string, logger: Logger): Promise<SyncReport> {
  const existing = await oura.listSubscriptions();
  const report: SyncReport = { callback_url: callbackUrl, created: [], repointed: [], deleted: [], unchanged: 0 };
  for (const data_type of WEBHOOK_DATA_TYPES) {
    for (const event_type of WEBHOOK_EVENT_TYPES) {
      const matching = existing.filter((s) => s.data_type === data_type && s.event_type === event_type);
      const ours = matching.find((s) => s.callback_url === callbackUrl);
      let keep: OuraSubscription;
      if (ours) {
        keep = ours;
        report.unchanged++;
      } else if (matching[0]) {
        keep = await oura.updateSubscription(matching[0].id, { callback_url: callbackUrl, verification_token: verificationToken, data_type, event_type });
        report.repointed.push(keep);
      } else {
        keep = await oura.createSubscription({ callback_url: callbackUrl, verification_token: verificationToken, data_type, event_type });
        report.created.push(keep);
      }
      // Anything else for the same pair would deliver twice.
      for (const extra of matching.filter((s) => s.id !== keep.id)) {
        await oura.deleteSubscription(extra.id);
        report.deleted.push(extra.id);
      }
    }
  }
  logger.info("subscriptions.synced", { created: report.created.length, repointed: report.repointed.length, deleted: report.deleted.length, unchanged: report.unchanged });
  return report;
}

/** Renews every subscription that expires within `withinDays`; returns the renewed ones. */
export async function renewExpiring(oura: OuraClient, withinDays: number, now: number, logger: Logger): Promise<OuraSubscription[]> {
  const horizon = now + withinDays * 86_400_000;
  const renewed: OuraSubscription[] = [];
  for (const subscription of await oura.listSubscriptions()) {
    if (Date.parse(subscription.expiration_time) > horizon) continue;
    renewed.push(await oura.renewSubscription(subscription.id));
    logger.info("subscriptions.renewed", { id: subscription.id, data_type: subscription.data_type, event_type: subscription.event_type });
  }
  return renewed;
}
