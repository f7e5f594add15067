// The role sign-in by invitation depends on: single-use invitation links with an expiry (only a digest of each
// link's secret is kept, so a copy of the database opens no door).

export type InvitationState = "open" | "used" | "expired" | "revoked";

export interface Invitation {
  id: string;
  state: InvitationState;
  /** Who made it: "api token", "cli", or the operator's email or Oura user id. */
  created_by: string;
  note: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** The Oura user who linked with it. */
  used_by: string | null;
  revoked_at: string | null;
}

export interface Invitations {
  /** A new invitation and its secret (shown once; only its digest is stored). */
  create(input: { createdBy: string; note: string | null; expiresAtMs: number }): Promise<{ invitation: Invitation; secret: string }>;
  list(limit?: number): Invitation[];
  get(id: string): Invitation | undefined;
  /** The invitation a secret names, whatever its state. */
  find(secret: string): Invitation | undefined;
  /** Uses an open invitation for `userId`: the invitation only the first time, before it expires, unless revoked. */
  consume(secret: string, userId: string): Promise<Invitation | undefined>;
  /** Revokes an invitation not used yet; undefined when there is no such invitation. */
  revoke(id: string): Promise<Invitation | undefined>;
}
