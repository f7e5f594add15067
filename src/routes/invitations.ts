// Invitations over the API: an operator makes one (the answer holds its single-use link), lists and withdraws them.
import { z } from "@hono/zod-openapi";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { CreatedInvitation, InvitationList, InvitationView, NewInvitation } from "../schemas/invitation.ts";
import { invitationService } from "../services/invitations.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";
import type { InvitationServiceDeps } from "../services/invitations.ts";

const common = { tags: ["Access"], security: DATA_SECURITY };
const operatorOnly = errorResponse("Not an operator (or a browser session without its X-CSRF-Token)");

const createInvitationRoute = defineRoute({
  ...common,
  method: "post",
  path: "/invitations",
  summary: "Invite someone to link their Oura ring (operators)",
  description: "The answer holds the invitation's `link`, shown this once (only a digest of its secret is kept): the invited person opens it and signs in with Oura. It works once, until `expires_at`.",
  request: { body: { required: false, content: { "application/json": { schema: NewInvitation } } } },
  responses: { 201: jsonResponse(CreatedInvitation, "Created"), 403: operatorOnly },
});

const listInvitationsRoute = defineRoute({
  ...common,
  method: "get",
  path: "/invitations",
  summary: "Invitations, newest first (operators)",
  responses: { 200: jsonResponse(InvitationList, "Invitations"), 403: operatorOnly },
});

const revokeInvitationRoute = defineRoute({
  ...common,
  method: "delete",
  path: "/invitations/{id}",
  summary: "Withdraw an invitation not used yet (operators)",
  request: { params: z.object({ id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" } }) }) },
  responses: {
    200: jsonResponse(InvitationView, "The invitation, withdrawn (also when it already was)"),
    403: operatorOnly,
    404: errorResponse("No such invitation"),
    409: errorResponse("Used or expired: nothing to withdraw (invitation_not_open)"),
  },
});

export function createInvitationRoutes(deps: InvitationServiceDeps) {
  const app = createRouter();
  const invitations = invitationService(deps);

  app.openapi(createInvitationRoute, async (c) => {
    const body = c.req.header("content-type")?.includes("application/json") ? c.req.valid("json") : {};
    const created = await invitations.create(c.var.principal, { note: body.note, expiresInHours: body.expires_in_hours, base: new URL(c.req.url).origin });
    return c.json(created, 201);
  });

  app.openapi(listInvitationsRoute, (c) => c.json({ invitations: invitations.list(c.var.principal) }, 200));

  app.openapi(revokeInvitationRoute, async (c) => c.json(await invitations.revoke(c.var.principal, c.req.valid("param").id), 200));

  return app;
}
