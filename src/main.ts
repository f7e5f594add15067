// Entry point of the server and of the compiled executable.
import { runCli } from "./cli/index.ts";

process.exit(await runCli(process.argv.slice(2)));
