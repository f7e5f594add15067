// Invitations as the API shows them.
import { z } from "@hono/zod-openapi";
import { DEFAULT_INVITATION_HOURS, MAX_INVITATION_HOURS } from "../services/invitations.ts";

export const NewInvitation = z
  .object({
    note: z.string().max(200).optional().openapi({ description: "Who it is for, for your own list (e.g. a name)." }),
    expires_in_hours: z
      .number()
      .int()
      .min(1)
      .max(MAX_INVITATION_HOURS)
      .optional()
      .openapi({ description: `Hours until the link stops working (default ${DEFAULT_INVITATION_HOURS}, at most ${MAX_INVITATION_HOURS}).` }),
  })
  .openapi("NewInvitation");

export const InvitationView = z
  .object({
    id: z.string(),
    state: z.enum(["open", "used", "expired", "revoked"]),
    created_by: z.string(),
    note: z.string().nullable(),
    created_at: z.string(),
    expires_at: z.string(),
    used_at: z.string().nullable(),
    used_by: z.string().nullable().openapi({ description: "The Oura user who linked with it." }),
    revoked_at: z.string().nullable(),
  })
  .openapi("Invitation");

export const CreatedInvitation = InvitationView.extend({
  link: z.string().openapi({ description: "The single-use link to send (PUBLIC_URL/auth/invite/<secret>); shown only in this answer." }),
}).openapi("CreatedInvitation");

export const InvitationList = z.object({ invitations: z.array(InvitationView) }).openapi("InvitationList");
