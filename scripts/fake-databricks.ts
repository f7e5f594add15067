// `npm run fake-databricks`: a local stand-in for a Databricks SQL warehouse (the Statement Execution API, in memory),
// to try STORAGE_BACKEND=warehouse without a workspace. Prints the settings to start the server with, then serves
// until Ctrl-C. Its tables live in memory: they are gone when it stops (as a redeploy on an empty disk would see).
import { FakeDatabricks } from "../test/fake-databricks.ts";

const latencyMs = Number(process.argv[2] ?? 50);
const fake = new FakeDatabricks({ latencyMs }).start();
const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
const settings = { ...fake.env(), APP_SECRET_KEY: key };
console.log(`fake Databricks SQL warehouse at ${fake.url} (each statement takes ${latencyMs} ms); start the server with:\n`);
console.log(`${Object.entries(settings).map(([name, value]) => `${name}=${value}`).join(" \\\n")} \\\nnpm start\n`);
console.log("Ctrl-C stops it (its tables are in memory).");
process.on("SIGINT", () => {
  fake.stop();
  process.exit(0);
});
