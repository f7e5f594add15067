// Command dispatch for the one executable: `oura-streaming [command] [options]`.
import { VERSION } from "../version.ts";
import { type Command, UsageError } from "./args.ts";
import { backfillCommand } from "./backfill.ts";
import { checkConfigCommand } from "./check-config.ts";
import { demoCommand } from "./demo.ts";
import { exportCommand } from "./export.ts";
import { inviteCommand } from "./invite.ts";
import { mcpCommand } from "./mcp.ts";
import { operatorsCommand } from "./operators.ts";
import { pruneCommand } from "./prune.ts";
import { sendTestCommand } from "./send-test.ts";
import { serveCommand } from "./serve.ts";
import { tokenCommand } from "./token.ts";
import { warehouseCommand } from "./warehouse.ts";

const COMMANDS: Command[] = [serveCommand, demoCommand, sendTestCommand, backfillCommand, exportCommand, pruneCommand, checkConfigCommand, warehouseCommand, tokenCommand, inviteCommand, operatorsCommand, mcpCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `oura-streaming ${VERSION} — receives Oura Ring webhooks, stores them durably, shows them live.`,
    "",
    "Usage: oura-streaming [command] [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Options: --help (also after a command), --version",
  ].join("\n");
}

/** Runs the command line; resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v") {
    console.log(VERSION);
    return 0;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    console.log(help());
    return 0;
  }
  const command = first === undefined || first.startsWith("-") ? serveCommand : COMMANDS.find((c) => c.name === first);
  if (!command) {
    console.error(`oura-streaming: unknown command "${first}"\n\n${help()}`);
    return 2;
  }
  const args = first === undefined || first.startsWith("-") ? argv : rest;
  if (args.includes("--help") || args.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`oura-streaming ${command.name}: ${error.message}\n\n${error.usage}`);
      return 2;
    }
    throw error;
  }
}
