// Shapes shared by every route: the one JSON error body.
import { z } from "@hono/zod-openapi";
import { ERROR_CODES } from "../errors.ts";

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).openapi({ example: "validation_failed", description: "Stable; the message is for people." }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBody>;

export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorBody } },
});


export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
