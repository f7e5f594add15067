// Invitations: made, listed and withdrawn by operators (the API, the dashboard, the CLI); each is a single-use link
// with an expiry that lets one Oura user link their ring (services/sign-in.ts uses it).
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import type { Invitation } from "../storage/invitations.ts";

export const DEFAULT_INVITATION_HOURS = 72;
export const MAX_INVITATION_HOURS = 30 * 24;

export function invitationLink(base: string, secret: string): string {
  return `${base.replace(/\/+$/, "")}/auth/invite/${secret}`;
}

export type InvitationServiceDeps = Pick<AppDeps, "invitations" | "logger" | "now" | "config">;

export function invitationService(deps: InvitationServiceDeps) {
  return {
    /** A new invitation and its link (the link is shown once: only a digest of its secret is kept). */
    async create(principal: Principal, input: { note?: string | null; expiresInHours?: number; base: string }) {
      principal.requireOperator("invite people");
      const hours = input.expiresInHours ?? DEFAULT_INVITATION_HOURS;
      const { invitation, secret } = await deps.invitations.create({ createdBy: principal.actor, note: input.note ?? null, expiresAtMs: deps.now() + hours * 3_600_000 });
      deps.logger.info("access.invitation_created", { id: invitation.id, expires_at: invitation.expires_at });
      return { ...invitation, link: invitationLink(deps.config.publicUrl ?? input.base, secret) };
    },

    list(principal: Principal): Invitation[] {
      principal.requireOperator("see invitations");
      return deps.invitations.list();
    },

    async revoke(principal: Principal, id: string): Promise<Invitation> {
      principal.requireOperator("withdraw invitations");
      const invitation = await deps.invitations.revoke(id);
      if (!invitation) throw new AppError(404, "invitation_not_found", `no invitation ${id}`);
      // Withdrawing twice is the same as once; a used or expired one cannot be withdrawn any more.
      if (invitation.state !== "revoked") throw new AppError(409, "invitation_not_open", `invitation ${id} is ${invitation.state}: nothing to withdraw`, { state: invitation.state });
      return invitation;
    },
  };
}
