/** @jsxImportSource hono/jsx */
// Who may do what, on the dashboard: the linked users (unlink; for operators, promote and demote) and the
// invitations an operator makes, lists and withdraws.
import type { VisibleAccount } from "../services/accounts.ts";
import type { Invitation } from "../storage/invitations.ts";
import { LastEventTime } from "./feed.tsx";
import { shownName } from "./names.ts";

export function LinkedUsers(props: { accounts: VisibleAccount[]; operator: boolean; self: string | null }) {
  return (
    <ul class="linked" id="linked-users">
      {props.accounts.map((a) => {
        const name = shownName(a);
        const url = `/dashboard/users/${encodeURIComponent(a.user_id)}`;
        const nameable = props.operator || a.user_id === props.self;
        return (
          <li>
            <span title={a.user_id} class="linked-name">
              {name}
            </span>
            {a.display_name && a.email ? <small> ({a.email})</small> : null} <small class="role">{a.role}</small>{" "}
            {props.operator && a.user_id !== props.self ? (
              a.role === "operator" ? (
                <button hx-delete={`${url}/operator`} hx-target="#linked-users" hx-swap="outerHTML" hx-confirm={`Make ${name} a wearer again?`}>
                  Demote
                </button>
              ) : (
                <button hx-put={`${url}/operator`} hx-target="#linked-users" hx-swap="outerHTML" hx-confirm={`Let ${name} run this server (every user's data, subscriptions, invitations)?`}>
                  Make operator
                </button>
              )
            ) : null}{" "}
            <button hx-delete={url} hx-confirm={`Unlink ${name}? This server stops reading their ring.`} hx-target="closest li" hx-swap="outerHTML">
              Unlink
            </button>
            {nameable ? (
              <details class="rename">
                <summary>{a.user_id === props.self ? "Your name here" : "Name"}</summary>
                <form hx-put={`${url}/name`} hx-target="#linked-users" hx-swap="outerHTML">
                  <label for={`name-${a.user_id}`}>Shown as</label>{" "}
                  <input id={`name-${a.user_id}`} name="display_name" maxlength={60} value={a.display_name ?? ""} placeholder={a.email ?? "a name"} />{" "}
                  <button type="submit">Save</button>
                </form>
              </details>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/** In place of an unlinked user's row when Oura did not confirm the revoke of this server's access. */
export function UnlinkedNote(props: { revokeError: string | null }) {
  return (
    <li class="alert" role="alert">
      Unlinked here, but Oura did not confirm that it revoked this server's access ({props.revokeError ?? "no answer"}). The ring's owner can revoke it in
      their Oura account (Apps and integrations).
    </li>
  );
}

const STATE_LABEL: Record<Invitation["state"], string> = { open: "open", used: "used", expired: "expired", revoked: "withdrawn" };

/** `created`: the invitation just made, whose link is shown this once. */
export function InvitationsPanel(props: { invitations: Invitation[]; created?: { link: string; expires_at: string } }) {
  return (
    <div id="invitations" class="invitations">
      <h3>Invitations</h3>
      <p class="hint">An invitation lets one person link their Oura ring here. It works once, until it expires.</p>
      <form hx-post="/dashboard/invitations" hx-target="#invitations" hx-swap="outerHTML" class="invite-form">
        <label for="invite-note">For</label> <input id="invite-note" name="note" maxlength={200} placeholder="e.g. Alex" />{" "}
        <label for="invite-hours">valid for</label>{" "}
        <select id="invite-hours" name="hours">
          <option value="24">1 day</option>
          <option value="72" selected>
            3 days
          </option>
          <option value="168">7 days</option>
        </select>{" "}
        <button type="submit" class="primary">
          Create invitation
        </button>
      </form>
      {props.created ? (
        <p class="created-invitation" role="status">
          Send this link (it is shown only now): <code id="invitation-link">{props.created.link}</code> — valid until <LastEventTime at={props.created.expires_at} />.
        </p>
      ) : null}
      {props.invitations.length > 0 ? (
        <ul class="invitation-list">
          {props.invitations.map((i) => (
            <li id={`invitation-${i.id}`}>
              {i.note ?? "(no note)"} · {STATE_LABEL[i.state]}
              {i.state === "used" && i.used_by ? ` by ${i.used_by}` : ""} · until <LastEventTime at={i.expires_at} />{" "}
              {i.state === "open" ? (
                <button hx-delete={`/dashboard/invitations/${encodeURIComponent(i.id)}`} hx-target="#invitations" hx-swap="outerHTML">
                  Withdraw
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
