import { z } from "@hono/zod-openapi";

export const LinkedUser = z
  .object({
    user_id: z.string(),
    scopes: z.array(z.string()),
    access_expires_at: z.string().nullable(),
    needs_reauth: z.boolean().openapi({ description: "True when Oura refused the refresh token: the user must sign in again." }),
    reauth_reason: z.string().nullable(),
    handed_off_at: z
      .string()
      .nullable()
      .openapi({ description: "When `oura-streaming token handoff` gave this user's refresh token to another server; this one no longer uses it (sign in here again to take it back)." }),
    linked_at: z.string(),
    email: z.string().nullable().openapi({ description: "The Oura account's email, when Oura gave it (the email scope)." }),
    role: z.enum(["operator", "wearer"]).openapi({ description: "operator: promoted here, or the email is in OPERATOR_EMAILS." }),
    operator_since: z.string().nullable().openapi({ description: "When an operator promoted this user (null: not promoted; OPERATOR_EMAILS may still make them one)." }),
    display_name: z.string().nullable().openapi({ description: "The name the wearer chose to be shown by on the dashboard (else their email)." }),
  })
  .openapi("LinkedUser");

export const AuthStatus = z
  .object({
    oauth_configured: z.boolean(),
    principal: z.enum(["api", "session", "app_user", "open"]).openapi({ description: "app_user: a workspace user signed in by the Databricks Apps front door (only when running as a Databricks App)." }),
    role: z.enum(["operator", "wearer"]).openapi({ description: "operator: runs the server and sees every user; wearer: sees and manages only their own Oura user." }),
    user_id: z.string().nullable().openapi({ description: "The caller's own Oura user, if any." }),
    linked_users: z.array(LinkedUser),
    csrf_token: z.string().nullable().openapi({ description: "For a session or a Databricks App user: send as X-CSRF-Token on requests that change something." }),
  })
  .openapi("AuthStatus");

export const UnlinkResult = z
  .object({
    user_id: z.string(),
    revoked: z.boolean().openapi({ description: "Whether Oura confirmed the revoke of this server's access (the link is removed here either way)." }),
    revoke_error: z.string().nullable().openapi({ description: "Why the revoke was not confirmed, or what Oura said." }),
    purged: z.object({ events: z.number(), documents: z.number() }).nullable(),
  })
  .openapi("UnlinkResult");
