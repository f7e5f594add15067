// The storage roles as one composition object, built once by the composition root (server.ts, the CLI, tests'
// helpers), which hands each part only to the consumers that use it.
import type { Backfills } from "./backfills.ts";
import type { Documents } from "./documents.ts";
import type { EventLog } from "./event-log.ts";
import type { FetchQueue } from "./fetch-queue.ts";
import type { HookStore } from "./hooks.ts";
import type { McpTokens } from "./mcp-tokens.ts";
import type { Outbox } from "./outbox.ts";
import type { PollStore } from "./polls.ts";
import type { Retention } from "./retention.ts";
import type { Settings } from "./settings.ts";
import type { StorageStatus } from "./storage-status.ts";

export interface Storage {
  events: EventLog;
  fetchQueue: FetchQueue;
  documents: Documents;
  retention: Retention;
  settings: Settings;
  status: StorageStatus;
  polls: PollStore;
  backfills: Backfills;
  /** What is still to be shipped to the warehouse (empty unless warehouse mode is on). */
  outbox: Outbox;
  /** Outgoing webhooks: endpoints, the queue of final events, deliveries. */
  hooks: HookStore;
  /** AI assistants: MCP access tokens (digests) and the tool-call log. */
  mcpTokens: McpTokens;
  /** Waits for the writes in flight, then closes the database. */
  close(): Promise<void>;
}
