// `oura-streaming invite`: makes a single-use invitation link (or lists and withdraws them) from the command line,
// beside a running server: how the first person is let in on a server with no operator yet.
import { CLI_PRINCIPAL } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import { createLogger } from "../log.ts";
import { DEFAULT_INVITATION_HOURS, invitationService, MAX_INVITATION_HOURS } from "../services/invitations.ts";
import { InvitationStore } from "../storage/sqlite/invitation-store.ts";
import { type Command, parse, UsageError } from "./args.ts";
import { configOrExit, openExistingStorage } from "./config-env.ts";

const usage = `Usage: oura-streaming invite [--note TEXT] [--hours N]
       oura-streaming invite --list
       oura-streaming invite --revoke ID

Prints a single-use invitation link: the invited person opens it and signs in with Oura to link their ring. It works
once, for N hours (default ${DEFAULT_INVITATION_HOURS}, at most ${MAX_INVITATION_HOURS}). The link starts with PUBLIC_URL (else this server's local
address). Runs beside a live server (DATABASE_PATH is the server's database).

  --note TEXT   who it is for, for your own list
  --hours N     hours until the link stops working
  --list        the invitations, newest first
  --revoke ID   withdraw an invitation not used yet`;

export const inviteCommand: Command = {
  name: "invite",
  summary: "make a single-use invitation link to link an Oura ring (also --list, --revoke ID)",
  usage,
  async run(argv) {
    const { values } = parse(argv, { note: { type: "string" }, hours: { type: "string" }, list: { type: "boolean" }, revoke: { type: "string" } }, usage);
    const hours = values.hours === undefined ? undefined : Number(values.hours);
    if (hours !== undefined && (!Number.isInteger(hours) || hours < 1 || hours > MAX_INVITATION_HOURS)) {
      throw new UsageError(`--hours must be a whole number from 1 to ${MAX_INVITATION_HOURS}, not ${values.hours}`, usage);
    }
    if ((values.list ? 1 : 0) + (values.revoke !== undefined ? 1 : 0) + (values.note !== undefined || hours !== undefined ? 1 : 0) > 1) {
      throw new UsageError("choose one of: a new invitation (--note, --hours), --list, --revoke ID", usage);
    }
    const config = configOrExit();
    const storage = await openExistingStorage(config.databasePath);
    if (!storage) return 1;
    try {
      const invitations = invitationService({ invitations: new InvitationStore(storage.connection), logger: createLogger("warn"), now: Date.now, config });
      if (values.list) {
        const all = invitations.list(CLI_PRINCIPAL);
        if (all.length === 0) console.log("no invitations yet");
        for (const i of all) console.log(`${i.id}  ${i.state.padEnd(7)}  until ${i.expires_at}  ${i.note ?? ""}${i.used_by ? `  used by ${i.used_by}` : ""}`);
        return 0;
      }
      if (values.revoke !== undefined) {
        try {
          console.log(`withdrawn: ${(await invitations.revoke(CLI_PRINCIPAL, values.revoke)).id}`);
          return 0;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          console.error(`oura-streaming invite: ${error.message}${error.code === "invitation_not_found" ? " (see invite --list)" : ""}`);
          return 1;
        }
      }
      const base = `http://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${config.port}`;
      const created = await invitations.create(CLI_PRINCIPAL, { note: values.note ?? null, expiresInHours: hours, base });
      console.log(created.link);
      console.error(`invitation ${created.id}: single use, valid until ${created.expires_at}${config.publicUrl ? "" : " (set PUBLIC_URL so the link names the address others reach)"}`);
      return 0;
    } finally {
      await storage.close();
    }
  },
};
