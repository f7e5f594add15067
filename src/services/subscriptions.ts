// Oura webhook subscriptions: the whole server's notifications, so every use is the operator's. Oura's refusals
// become our JSON errors (one mapping for the API and the dashboard), never a crash or a bare 500.
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { OuraApiError, type OuraClient } from "../oura/client.ts";
import { syncSubscriptions } from "../oura/subscription-sync.ts";
import type { z } from "@hono/zod-openapi";
import type { NewSubscription } from "../schemas/subscription.ts";
import { requireOura } from "./require-oura.ts";

async function askOura<T>(call: () => Promise<T>, notFound = false): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof OuraApiError)) throw error;
    if (notFound && (error.status === 403 || error.status === 404)) throw new AppError(404, "subscription_not_found", `Oura has no such subscription (${error.status}: ${error.detail})`);
    if (error.status === 422 || error.status === 400) throw new AppError(422, "oura_refused", `Oura refused: ${error.detail}`);
    throw new AppError(502, "oura_unavailable", error.status ? `Oura answered ${error.status}: ${error.detail}` : error.detail);
  }
}

export type SubscriptionServiceDeps = Pick<AppDeps, "sync" | "config" | "verificationToken" | "logger">;

export function subscriptionService(deps: SubscriptionServiceDeps) {
  /** The operator check comes first: nobody else learns even whether Oura sign-in is configured. */
  const client = (principal: Principal, what: string): OuraClient => {
    principal.requireOperator(what);
    return requireOura(deps, what).client;
  };
  const callbackUrl = (explicit?: string): string => {
    if (explicit) return explicit;
    if (!deps.config.publicUrl) throw new AppError(400, "public_url_missing", "set PUBLIC_URL (the address Oura can reach) or pass callback_url");
    return `${deps.config.publicUrl}/webhooks`;
  };

  return {
    list: (principal: Principal) => {
      const oura = client(principal, "see webhook subscriptions");
      return askOura(() => oura.listSubscriptions());
    },

    /** The list, or null when Oura sign-in is not configured (the dashboard's summary says so). */
    async listIfConfigured(principal: Principal) {
      principal.requireOperator("see webhook subscriptions");
      return deps.sync ? this.list(principal) : null;
    },

    /** Idempotent: the existing subscription of the same pair at the same callback is answered instead of a duplicate. */
    async create(principal: Principal, body: z.infer<typeof NewSubscription>) {
      const oura = client(principal, "create webhook subscriptions");
      const callback = callbackUrl(body.callback_url);
      const existing = (await askOura(() => oura.listSubscriptions())).find(
        (s) => s.data_type === body.data_type && s.event_type === body.event_type && s.callback_url === callback,
      );
      if (existing) return { subscription: existing, created: false };
      const created = await askOura(() => oura.createSubscription({ ...body, callback_url: callback, verification_token: deps.verificationToken }));
      deps.logger.info("subscriptions.created", { data_type: created.data_type, event_type: created.event_type });
      return { subscription: created, created: true };
    },

    renew(principal: Principal, id: string) {
      const oura = client(principal, "renew webhook subscriptions");
      return askOura(() => oura.renewSubscription(id), true);
    },

    async remove(principal: Principal, id: string): Promise<void> {
      const oura = client(principal, "delete webhook subscriptions");
      await askOura(() => oura.deleteSubscription(id), true);
      deps.logger.info("subscriptions.deleted", { id });
    },

    sync(principal: Principal) {
      const oura = client(principal, "sync webhook subscriptions");
      const url = callbackUrl();
      return askOura(() => syncSubscriptions(oura, url, deps.verificationToken, deps.logger));
    },
  };
}
