import { z } from "@hono/zod-openapi";

export const LinkedUser = z
  .object({
    user_id: z.string(),
    scopes: z.array(z.string()),
    access_expires_at: z.string().nullable(),
    needs_reauth: z.boolean().openapi({ description: "True when Oura refused the refresh token: the user must sign in again." }),
    reauth_reason: z.string().nullable(),
    linked_at: z.string(),
  })
  .openapi("LinkedUser");

export const AuthStatus = z
  .object({
    oauth_configured: z.boolean(),
    principal: z.enum(["api", "session", "open"]),
    user_id: z.string().nullable().openapi({ description: "The Oura user of this session, if any." }),
    linked_users: z.array(LinkedUser),
    csrf_token: z.string().nullable().openapi({ description: "For a session: send as X-CSRF-Token on requests that change something." }),
  })
  .openapi("AuthStatus");

export const UnlinkResult = z
  .object({ user_id: z.string(), revoked: z.boolean(), purged: z.object({ events: z.number(), documents: z.number() }).nullable() })
  .openapi("UnlinkResult");
