// Outgoing webhooks, the one place for their rules: an operator manages every endpoint and may filter on any user; a
// wearer manages only their own endpoints, which only ever carry their own user's data; a guest none. The signing
// secret is made here, sealed before it is stored, and shown only in the answer that created it.
import type { Principal } from "../auth/principal.ts";
import { randomId } from "../auth/random-id.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { hostProblem, urlShapeProblem } from "../hooks/address-guard.ts";
import { generateSecret } from "../hooks/signature.ts";
import type { HookDelivery, HookEndpoint } from "../storage/hooks.ts";

export type HookServiceDeps = Pick<AppDeps, "hooks" | "config" | "now">;

export interface HookFields {
  url?: string;
  data_types?: string[] | null;
  event_types?: string[] | null;
  user_ids?: string[] | null;
  description?: string | null;
  enabled?: boolean;
}

/** An endpoint as shown: everything but its sealed secret. */
export type HookView = Omit<HookEndpoint, "sealed_secret">;

const view = ({ sealed_secret: _, ...endpoint }: HookEndpoint): HookView => endpoint;

/** Operators register endpoints for anyone, wearers for their own data; guests none. */
export function mayRegisterHooks(principal: Principal): boolean {
  return principal.isOperator || (principal.role !== "guest" && principal.userId !== null);
}

export function hookService(deps: HookServiceDeps) {
  const { store } = deps.hooks;
  const allowPrivate = deps.config.hooks.allowPrivateAddresses;
  const notFound = (id: string) => new AppError(404, "hook_not_found", `no webhook endpoint ${id}`);

  function allowed(principal: Principal): void {
    if (!mayRegisterHooks(principal)) {
      throw new AppError(403, "hooks_not_allowed", "only an operator, or a wearer for their own data, may register webhook endpoints");
    }
  }

  function visible(principal: Principal, id: string): HookEndpoint {
    allowed(principal);
    const endpoint = store.getEndpoint(id);
    if (!endpoint || !(principal.isOperator || endpoint.owner_user_id === principal.userId)) throw notFound(id);
    return endpoint;
  }

  function checkUrl(url: string): void {
    const shape = urlShapeProblem(url);
    if (shape) throw new AppError(422, "hook_url_refused", shape);
    const parsed = new URL(url);
    if (!allowPrivate && parsed.protocol !== "https:") {
      throw new AppError(422, "hook_url_refused", "deliveries carry health data: the URL must be https (plain http only with HOOKS_ALLOW_PRIVATE_ADDRESSES=true, for receivers on a private network)");
    }
    const problem = hostProblem(parsed, allowPrivate);
    if (problem) throw new AppError(422, "hook_url_refused", `refused: ${problem}`);
  }

  /** A wearer's user filter is their own user, whatever they asked; asking for someone else's is a 404 as elsewhere. */
  function userFilter(principal: Principal, requested: string[] | null | undefined): string[] | null | undefined {
    if (principal.isOperator) return requested;
    const own = principal.userId!;
    const other = requested?.find((userId) => userId !== own);
    if (other !== undefined) throw new AppError(404, "user_not_linked", `${other} is not a user you may see: a wearer's endpoints carry their own data only`);
    return [own];
  }

  return {
    /** Registers an endpoint; the answer is the only one ever to hold its secret. */
    async create(principal: Principal, fields: HookFields & { url: string }): Promise<HookView & { secret: string }> {
      allowed(principal);
      checkUrl(fields.url);
      const secret = generateSecret();
      const endpoint = await store.createEndpoint({
        id: `hook_${randomId()}`,
        owner_user_id: principal.isOperator ? null : principal.userId,
        url: fields.url,
        sealed_secret: await deps.hooks.cipher.encrypt(secret),
        data_types: fields.data_types ?? null,
        event_types: fields.event_types ?? null,
        user_ids: userFilter(principal, fields.user_ids) ?? null,
        description: fields.description ?? null,
      });
      deps.hooks.endpointsChanged();
      return { ...view(endpoint), secret };
    },

    list(principal: Principal): HookView[] {
      allowed(principal);
      return store.listEndpoints(principal.isOperator ? undefined : principal.userId!).map(view);
    },

    get(principal: Principal, id: string): HookView {
      return view(visible(principal, id));
    },

    async update(principal: Principal, id: string, fields: HookFields): Promise<HookView> {
      visible(principal, id);
      if (fields.url !== undefined) checkUrl(fields.url);
      const userIds = fields.user_ids === undefined ? undefined : userFilter(principal, fields.user_ids);
      const updated = await store.updateEndpoint(id, { ...fields, user_ids: userIds });
      if (!updated) throw notFound(id);
      deps.hooks.endpointsChanged();
      return view(updated);
    },

    /** A new signing secret, in force from the next attempt on (the old one stops at once); shown in this answer only. */
    async rotateSecret(principal: Principal, id: string): Promise<HookView & { secret: string }> {
      visible(principal, id);
      const secret = generateSecret();
      if (!(await store.replaceSecret(id, await deps.hooks.cipher.encrypt(secret)))) throw notFound(id);
      return { ...view(store.getEndpoint(id)!), secret };
    },

    async remove(principal: Principal, id: string): Promise<void> {
      visible(principal, id);
      await store.deleteEndpoint(id);
      deps.hooks.endpointsChanged();
    },

    deliveries(principal: Principal, id: string, limit = 50, cursor?: number): { deliveries: HookDelivery[]; next_cursor: string | null } {
      visible(principal, id);
      const deliveries = store.listDeliveries(id, limit, cursor);
      return { deliveries, next_cursor: deliveries.length === limit ? String(deliveries.at(-1)!.id) : null };
    },

    /** "Send again": due now with the same webhook-id, its attempts counted afresh. */
    async retry(principal: Principal, id: string, deliveryId: number): Promise<HookDelivery> {
      visible(principal, id);
      const delivery = await store.retryDelivery(id, deliveryId, deps.now());
      if (!delivery) throw new AppError(404, "hook_delivery_not_found", `no delivery ${deliveryId} of ${id}`);
      deps.hooks.wake();
      return delivery;
    },
  };
}

export type HookService = ReturnType<typeof hookService>;
