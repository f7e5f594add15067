// The repository deployed as a Databricks App: app.yaml's command and environment, the port and interface the Apps
// runtime expects, the service principal for the warehouse, and the front door's forwarded identity — believed there
// and nowhere else.
import { describe, expect, test } from "bun:test";
import { cleanupsAfterEach } from "../helpers/cleanups.ts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FakeDatabricks } from "../fake-databricks.ts";
import { FakeOura } from "../fake-oura.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { type ChildServer, REPO_ROOT, spawnServer, tempDir } from "../helpers/servers.ts";

interface AppYaml {
  command: string[];
  env: { name: string; value?: string; valueFrom?: string }[];
}

const appYaml = Bun.YAML.parse(readFileSync(join(REPO_ROOT, "app.yaml"), "utf8")) as AppYaml;

const cleanups = cleanupsAfterEach();

/** app.yaml's environment with each valueFrom resolved as the Apps runtime would, plus what the runtime sets itself. */
function appEnvironment(resources: Record<string, string>, runtime: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of appYaml.env) {
    const value = entry.valueFrom !== undefined ? resources[entry.valueFrom] : entry.value;
    if (value === undefined) throw new Error(`no resource ${entry.valueFrom} for ${entry.name}`);
    env[entry.name] = value;
  }
  return { ...env, ...runtime };
}

describe("Databricks App", () => {
  test("app.yaml: command is a list running the npm-installed Bun; secrets and the warehouse come by valueFrom", () => {
    expect(Array.isArray(appYaml.command)).toBe(true);
    expect(existsSync(join(REPO_ROOT, appYaml.command[0]!))).toBe(true);
    const byName = new Map(appYaml.env.map((e) => [e.name, e]));
    expect(byName.get("STORAGE_BACKEND")?.value).toBe("warehouse");
    expect(byName.get("DATABRICKS_WAREHOUSE_ID")?.valueFrom).toBe("sql-warehouse");
    for (const secret of ["APP_SECRET_KEY", "OURA_CLIENT_ID", "OURA_CLIENT_SECRET", "OURA_INITIAL_REFRESH_TOKEN"]) expect(byName.get(secret)?.valueFrom).toBeDefined();
    expect(byName.get("POLLING_ENABLED")?.value).toBe("true");
  });

  async function startApp(options: { asApp: boolean }): Promise<{ server: ChildServer; databricks: FakeDatabricks; oura: FakeOura; port: number }> {
    const oura = new FakeOura().start();
    const databricks = new FakeDatabricks().start();
    cleanups.push(() => oura.stop(), () => databricks.stop());
    oura.addUser("USER-TEAM");
    oura.putDocument("USER-TEAM", "daily_sleep", { id: "team-sleep", day: new Date().toISOString().slice(0, 10), score: 84 });
    const port = freePort();
    const env = appEnvironment(
      {
        "sql-warehouse": databricks.warehouseId,
        "app-secret-key": "databricks-app-secret-key-0123456789abcdef",
        "oura-client-id": oura.clientId,
        "oura-client-secret": oura.clientSecret,
        "oura-refresh-token": oura.issueTokens("USER-TEAM").refresh_token,
      },
      {
        // What the Apps runtime sets (the host without a scheme is tolerated too; the fake speaks plain http).
        ...(options.asApp ? { DATABRICKS_APP_NAME: "oura-streaming", DATABRICKS_APP_PORT: String(port) } : { PORT: String(port) }),
        DATABRICKS_HOST: databricks.url,
        DATABRICKS_CLIENT_ID: "fake-sp-client",
        DATABRICKS_CLIENT_SECRET: "fake-sp-secret",
        OURA_API_BASE_URL: oura.url,
        OURA_TOKEN_URL: `${oura.url}/oauth/token`,
        OURA_AUTH_URL: `${oura.url}/oauth/authorize`,
        DATABASE_PATH: join(tempDir(), "oura.db"),
        PORT: options.asApp ? "" : String(port),
        ...(options.asApp ? {} : { HOST: "127.0.0.1", API_TOKEN: "not-an-app-api-token-0123" }),
      },
    );
    const server = await spawnServer(env, { command: appYaml.command });
    cleanups.push(() => server.stop());
    return { server, databricks, oura, port };
  }

  test("as an App: listens on 0.0.0.0:$DATABRICKS_APP_PORT, ships with the service principal, polls, and believes X-Forwarded-Email", async () => {
    const { server, databricks, port } = await startApp({ asApp: true });
    expect(server.url.hostname).toBe("0.0.0.0");
    expect(Number(server.url.port)).toBe(port);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/events`)).status).toBe(401);
    const asUser = { "x-forwarded-email": "analyst@example.com", "x-forwarded-user": "123@456" };
    const status = (await (await fetch(`${base}/auth/status`, { headers: asUser })).json()) as { principal: string; csrf_token: string | null };
    expect(status.principal).toBe("app_user");
    expect(status.csrf_token).not.toBeNull();
    // Polling brings the document; the outbox ships it.
    await waitFor(() => databricks.rows("main.oura.events").some((r) => r.object_id === "team-sleep") || undefined, 20_000, "the polled event in Delta");
    expect(databricks.counters.tokensIssued).toBeGreaterThanOrEqual(1);
    const events = (await (await fetch(`${base}/events`, { headers: asUser })).json()) as { events: { object_id: string; source: string }[] };
    expect(events.events.map((e) => [e.object_id, e.source])).toContainEqual(["team-sleep", "poll"]);
    // A state-changing request from a browser needs the CSRF token too.
    expect((await fetch(`${base}/events`, { method: "DELETE", headers: asUser })).status).toBe(403);
    const dashboard = await (await fetch(`${base}/dashboard`, { headers: asUser })).text();
    expect(dashboard).toContain("Signed in to Databricks as analyst@example.com (operator)");
    expect(dashboard).toContain('id="warehouse-status"');
    // Every App user is an operator while DATABRICKS_APP_OPERATORS is unset: the details of /health are theirs.
    const health = (await (await fetch(`${base}/health`, { headers: asUser })).json()) as { storage_backend: string; warehouse: { state: string } };
    expect(health.storage_backend).toBe("warehouse");
    // A request that did not come through the front door gets the bare status only.
    expect(((await (await fetch(`${base}/health`)).json()) as { storage_backend?: string }).storage_backend).toBeUndefined();
  }, 40_000);

  test("not an App: the same headers are only what a client wrote, and are ignored", async () => {
    const { port } = await startApp({ asApp: false });
    const response = await fetch(`http://127.0.0.1:${port}/events`, { headers: { "x-forwarded-email": "analyst@example.com" } });
    expect(response.status).toBe(401);
  }, 40_000);
});
