// Oura's webhook notification: ids only, never the document itself.
import { z } from "@hono/zod-openapi";
import * as domain from "../storage/events.ts";
import { instantMs } from "../time/instant.ts";

export const EventType = domain.EventType.openapi("EventType");
export type EventType = z.infer<typeof EventType>;

/** Open set on purpose: Oura adds data types, and refusing one makes Oura retry it for an hour. */
export const DataType = z
  .string()
  .regex(/^[A-Za-z0-9_]{1,64}$/, { error: "expected a data type name (letters, digits, underscores)" })
  .openapi({ example: "daily_sleep", description: "Oura data type, e.g. sleep, daily_readiness; unknown types are accepted." });

const Identifier = z.string().min(1).max(256);

export const WebhookNotification = z
  .object({
    event_type: EventType,
    data_type: DataType,
    object_id: Identifier.openapi({ example: "8f9a5221-639e-4a85-81cb-4065ef23f979" }),
    event_time: z.iso
      .datetime({ offset: true, local: true })
      .refine((value) => !Number.isNaN(instantMs(value)), { error: "expected an ISO 8601 date-time" })
      .openapi({ example: "2026-11-24T08:00:00+00:00", description: "ISO 8601; without an offset it is read as UTC (Oura sends +00:00)." }),
    user_id: Identifier.openapi({ example: "VDX3MZ6KNSKSJ6OWRRMBFO4NNA2WYVNB" }),
  })
  .openapi("WebhookNotification");
export type WebhookNotification = z.infer<typeof WebhookNotification>;

export const WebhookAck = z
  .object({
    id: z.number().int().openapi({ description: "Id of the stored event (the existing one for a redelivery)." }),
    duplicate: z.boolean().openapi({ description: "True when this notification had already been stored." }),
  })
  .openapi("WebhookAck");

export const HandshakeQuery = z.object({
  verification_token: z.string().optional().openapi({ description: "Must equal the token given when the subscription was created." }),
  challenge: z.string().max(1024).optional().openapi({ description: "Echoed back in the JSON answer." }),
});

export const HandshakeAnswer = z.object({ challenge: z.string() }).openapi("HandshakeAnswer");
