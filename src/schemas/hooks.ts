// Outgoing webhooks over HTTP: an endpoint to register or change, the endpoint as shown (never its secret, except
// once in the answer that made it), and its delivery log.
import { z } from "@hono/zod-openapi";
import { DATED_DOCUMENT_TYPES, UNDATED_DOCUMENT_TYPES, WEBHOOK_DATA_TYPES, WEBHOOK_EVENT_TYPES } from "../oura/data-types.ts";
import { DELIVERY_STATUSES } from "../storage/hooks.ts";
import { urlShapeProblem } from "../hooks/address-guard.ts";

/** Every data type an event can carry: webhooks' and the polled documents'. */
export const HOOK_DATA_TYPES = [...new Set<string>([...WEBHOOK_DATA_TYPES, ...DATED_DOCUMENT_TYPES, ...UNDATED_DOCUMENT_TYPES])] as [string, ...string[]];

const HookUrl = z
  .string()
  .max(2048)
  .superRefine((value, context) => {
    const problem = urlShapeProblem(value);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .openapi({ example: "https://receiver.example.org/oura", description: "Where deliveries are POSTed. https, and a public address, unless HOOKS_ALLOW_PRIVATE_ADDRESSES=true." });

const filter = <T extends z.ZodType>(item: T, description: string) => z.array(item).min(1).max(100).nullable().optional().openapi({ description });

const Filters = {
  data_types: filter(z.enum(HOOK_DATA_TYPES, { error: `expected data types among ${HOOK_DATA_TYPES.join(", ")}` }), "Only these data types; absent or null: all."),
  event_types: filter(z.enum(WEBHOOK_EVENT_TYPES, { error: "expected event types among create, update, delete" }), "Only these event types; absent or null: all."),
  user_ids: filter(z.string().min(1).max(256), "Only these Oura users; absent or null: all the caller may see (a wearer's endpoint only ever gets their own data)."),
  description: z.string().max(500).nullable().optional(),
};

export const NewHook = z.object({ url: HookUrl, ...Filters }).strict().openapi("NewHook");
export type NewHook = z.infer<typeof NewHook>;

export const HookChange = z
  .object({ url: HookUrl.optional(), ...Filters, enabled: z.boolean().optional().openapi({ description: "true turns a disabled endpoint on again (its reason is cleared); false turns it off." }) })
  .strict()
  .openapi("HookChange");
export type HookChange = z.infer<typeof HookChange>;

export const Hook = z
  .object({
    id: z.string().openapi({ example: "hook_3kTq…" }),
    url: z.string(),
    owner_user_id: z.string().nullable().openapi({ description: "The wearer whose endpoint it is; null for an operator's." }),
    data_types: z.array(z.string()).nullable(),
    event_types: z.array(z.string()).nullable(),
    user_ids: z.array(z.string()).nullable(),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    disabled_at: z.string().nullable(),
    failing_since: z.string().nullable().openapi({ description: "When its deliveries started failing without a success since." }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Hook");
export type Hook = z.infer<typeof Hook>;

export const CreatedHook = Hook.extend({
  secret: z.string().openapi({ example: "whsec_…", description: "The Standard Webhooks signing secret. Shown this once: it is stored encrypted and never shown again." }),
}).openapi("CreatedHook");

export const HookList = z.object({ hooks: z.array(Hook) }).openapi("HookList");

export const HookDelivery = z
  .object({
    id: z.number().int(),
    event_id: z.number().int(),
    message_id: z.string().openapi({ description: "The webhook-id header: the same on every attempt and on send again." }),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    last_response_ms: z.number().int().nullable(),
    last_attempt_at: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
  })
  .openapi("HookDelivery");

export const HookDeliveryList = z
  .object({ deliveries: z.array(HookDelivery), next_cursor: z.string().nullable().openapi({ description: "Pass as `cursor` for older deliveries." }) })
  .openapi("HookDeliveryList");

export const HookIdParams = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" } }) });
export const HookDeliveryParams = HookIdParams.extend({ delivery_id: z.coerce.number().int().min(1).openapi({ param: { name: "delivery_id", in: "path" } }) });
export const HookDeliveryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).optional(),
  cursor: z.string().regex(/^\d+$/).optional().openapi({ description: "next_cursor of the previous page." }),
});
