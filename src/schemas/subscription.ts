import { z } from "@hono/zod-openapi";
import { DataType, EventType } from "./notification.ts";

export const Subscription = z
  .object({
    id: z.string(),
    callback_url: z.string(),
    event_type: z.string(),
    data_type: z.string(),
    expiration_time: z.string(),
  })
  .openapi("Subscription");

export const NewSubscription = z
  .object({
    data_type: DataType,
    event_type: EventType,
    callback_url: z.url({ protocol: /^https?$/ }).optional().openapi({ description: "Defaults to PUBLIC_URL + /webhooks." }),
  })
  .openapi("NewSubscription");

export const SubscriptionParams = z.object({ id: z.string().min(1).max(128).openapi({ param: { name: "id", in: "path" } }) });

export const SyncReport = z
  .object({
    callback_url: z.string(),
    created: z.array(Subscription),
    repointed: z.array(Subscription),
    deleted: z.array(z.string()),
    unchanged: z.number().int(),
  })
  .openapi("SubscriptionSyncReport");
