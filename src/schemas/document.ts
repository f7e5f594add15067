import { z } from "@hono/zod-openapi";
import { DataType } from "./notification.ts";

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a day as YYYY-MM-DD" });

export const StoredDocument = z
  .object({
    user_id: z.string(),
    data_type: z.string(),
    document_id: z.string(),
    day: z.string().nullable(),
    deleted: z.boolean().openapi({ description: "True once a delete notification arrived; document is then null or the last version." }),
    event_id: z.number().int().nullable().openapi({ description: "The event that brought this version." }),
    fetched_at: z.string(),
    document: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The document as Oura returned it." }),
  })
  .openapi("Document");

export const DocumentQuery = z.object({
  data_type: DataType.optional(),
  user_id: z.string().min(1).max(256).optional(),
  start_day: Day.optional(),
  end_day: Day.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const DocumentList = z.object({ count: z.number().int(), documents: z.array(StoredDocument) }).openapi("DocumentList");

export const DocumentParams = z.object({
  data_type: DataType.openapi({ param: { name: "data_type", in: "path" } }),
  id: z.string().min(1).max(256).openapi({ param: { name: "id", in: "path" } }),
});
