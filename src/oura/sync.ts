// Everything that talks to Oura as the app, built when Oura sign-in is configured (OURA_CLIENT_ID and
// OURA_CLIENT_SECRET): the client with its request budget and circuit breaker, the token manager, the fetcher, history
// imports, and the poller when polling or the reconciliation is on. Without sign-in there is none of it.
import type { Accounts } from "../storage/accounts.ts";
import type { Config } from "../config.ts";
import type { OuraSync } from "../deps.ts";
import { BackfillRunner, backfillProgress } from "../jobs/backfill.ts";
import { DocumentFetcher } from "../jobs/fetcher.ts";
import { Poller } from "../jobs/poller.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Broadcaster } from "../realtime/broadcaster.ts";
import { publishBackfill, publishEvent } from "../realtime/event-messages.ts";
import type { Storage } from "../storage/storage.ts";
import { TokenManager } from "../auth/token-manager.ts";
import { CircuitBreaker, type CircuitTimings } from "./circuit-breaker.ts";
import { createOuraClient } from "./client.ts";
import { RequestBudget } from "./request-budget.ts";
import type { Clock } from "../time/clock.ts";

export interface OuraSyncTimings {
  ouraCircuit?: Partial<CircuitTimings>;
  fetcher?: { intervalMs?: number; baseDelayMs?: number; maxAttempts?: number };
}

export interface OuraSyncParts {
  storage: Pick<Storage, "fetchQueue" | "documents" | "polls" | "backfills">;
  accounts: Accounts;
  broadcaster: Broadcaster;
  logger: Logger;
  metrics: Metrics;
  timings: OuraSyncTimings;
  now: Clock;
}

/** The running parts, with what the server needs to start and stop them. */
export interface RunningSync extends OuraSync {
  budget: RequestBudget;
  breaker: CircuitBreaker;
}

export function createOuraSync(config: Config, parts: OuraSyncParts): RunningSync | undefined {
  if (!config.oura.clientId || !config.oura.clientSecret) return undefined;
  const { storage, accounts, broadcaster, logger, metrics, timings, now } = parts;
  const budget = new RequestBudget(config.requestBudget.requests, config.requestBudget.windowSeconds * 1000, now);
  const breaker = new CircuitBreaker(timings.ouraCircuit, logger, now);
  const client = createOuraClient(config.oura, fetch, budget, breaker);
  const tokens = new TokenManager(accounts, client, logger, now);
  const onEventAdded = (event: Parameters<typeof publishEvent>[1]) => publishEvent(broadcaster, event, true);
  const fetcher = new DocumentFetcher({
    fetchQueue: storage.fetchQueue,
    documents: storage.documents,
    tokens,
    oura: client,
    breaker,
    onEventChanged: (event) => publishEvent(broadcaster, event, false),
    logger,
    metrics,
    now,
    ...timings.fetcher,
  });
  const imports = new BackfillRunner({
    polls: storage.polls,
    backfills: storage.backfills,
    tokens,
    oura: client,
    onEventAdded,
    onProgress: (backfill) => publishBackfill(broadcaster, backfillProgress(backfill)),
    logger,
    metrics,
    now,
  });
  const poller = createPoller(config, { polls: storage.polls, accounts, tokens, oura: client, onEventAdded, logger, metrics, now });
  return { client, tokens, fetcher, imports, budget, breaker, poller };
}

/** With POLLING_ENABLED a poll every POLLING_INTERVAL_SECONDS; without, the reconciliation every RECONCILE_INTERVAL_HOURS (0: none). */
function createPoller(config: Config, parts: Omit<ConstructorParameters<typeof Poller>[0], "intervalSeconds" | "lookbackDays" | "dataTypes" | "mode">): Poller | undefined {
  const { polling } = config;
  if (!polling.enabled && polling.reconcileIntervalHours <= 0) return undefined;
  return new Poller({
    ...parts,
    mode: polling.enabled ? "poll" : "reconcile",
    intervalSeconds: polling.enabled ? polling.intervalSeconds : Math.round(polling.reconcileIntervalHours * 3600),
    lookbackDays: polling.lookbackDays,
    dataTypes: polling.dataTypes,
  });
}
