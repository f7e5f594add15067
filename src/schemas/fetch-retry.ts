// POST /events/retry-failed: how many failed fetches went back in the queue.
import { z } from "@hono/zod-openapi";

export const RetryFailedResult = z
  .object({
    requeued: z.number().int().openapi({ description: "Events whose failed fetch is queued again, due now with no attempt counted." }),
  })
  .openapi("RetryFailedResult");
export type RetryFailedResult = z.infer<typeof RetryFailedResult>;
