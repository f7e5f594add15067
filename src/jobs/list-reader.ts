// Reads one list window of one user and data type from Oura, every page, and stores what it finds: documents compared
// by content (new → create event, changed → update event), heart-rate samples once per instant. Shared by the poller
// and backfills; the access token is refreshed once if Oura refuses it.
import type { TokenManager } from "../auth/token-manager.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { reportUnreadableValues } from "../oura/unreadable-values.ts";
import { type ListWindow, type OuraClient, OuraApiError } from "../oura/client.ts";
import { listFamily } from "../oura/data-types.ts";
import type { RequestPriority } from "../oura/request-budget.ts";
import type { Event } from "../storage/events.ts";
import type { HeartRateSample, PollStore } from "../storage/polls.ts";

export interface ListReaderDeps {
  polls: PollStore;
  tokens: TokenManager;
  oura: OuraClient;
  /** Told of each event a page added, as soon as its page is stored. */
  onEventAdded: (event: Event) => void;
  /** Counts polled documents by outcome, and those no webhook announced. */
  metrics?: Metrics;
  /** Told once per new or changed document of values it could not read. */
  logger?: Logger;
}

export interface WindowRead {
  /** Documents or samples Oura listed. */
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  onlyByPolling: number;
  /** New heart-rate samples. */
  samples: number;
  requests: number;
}

export class NoUsableToken extends Error {}

export const emptyRead = (): WindowRead => ({ seen: 0, created: 0, updated: 0, unchanged: 0, onlyByPolling: 0, samples: 0, requests: 0 });

const SAMPLE_SLICE = 200;
const DOCUMENT_SLICE = 20;

export async function readListWindow(
  deps: ListReaderDeps,
  request: { userId: string; dataType: string; window: ListWindow | undefined; priority: RequestPriority; signal?: AbortSignal; now: () => number },
  /** Counts as pages are stored: after a failure, it still says what the pages before it stored. */
  read: WindowRead = emptyRead(),
): Promise<WindowRead> {
  const { tokens, oura, polls } = deps;
  const { userId, dataType, window } = request;
  let token = await tokens.accessToken(userId);
  if (!token) throw new NoUsableToken("no usable Oura token for this user (sign in again)");
  let nextToken: string | undefined;
  let refreshed = false;
  for (;;) {
    let page;
    try {
      read.requests++;
      page = await oura.listPage(token, dataType, window, { nextToken, priority: request.priority, signal: request.signal });
    } catch (error) {
      // 401: the access token was refused; refresh once and read the page again.
      if (!(error instanceof OuraApiError) || error.status !== 401 || refreshed) throw error;
      refreshed = true;
      token = await tokens.afterUnauthorized(userId, token);
      if (!token) throw new NoUsableToken("Oura refused the token and it could not be refreshed (sign in again)");
      continue;
    }
    read.seen += page.data.length;
    // A page (up to thousands of samples) is stored in slices, each its own commit: a webhook that arrives meanwhile
    // waits for one slice, not for the whole page.
    if (listFamily(dataType) === "time_series") {
      const samples = heartRateSamples(page.data);
      for (let at = 0; at < samples.length; at += SAMPLE_SLICE) read.samples += await polls.recordHeartRate(userId, samples.slice(at, at + SAMPLE_SLICE));
    } else {
      for (let at = 0; at < page.data.length; at += DOCUMENT_SLICE) {
        const outcome = await polls.recordPolledDocuments(userId, dataType, page.data.slice(at, at + DOCUMENT_SLICE), new Date(request.now()).toISOString(), request.priority === "backfill" ? "import" : "poll");
        for (const event of [...outcome.created, ...outcome.updated]) reportUnreadableValues(deps.logger, dataType, event.document);
        read.created += outcome.created.length;
        read.updated += outcome.updated.length;
        read.unchanged += outcome.unchanged;
        read.onlyByPolling += outcome.onlyByPolling;
        deps.metrics?.polledDocuments.inc({ outcome: "created" }, outcome.created.length);
        deps.metrics?.polledDocuments.inc({ outcome: "updated" }, outcome.updated.length);
        deps.metrics?.polledDocuments.inc({ outcome: "unchanged" }, outcome.unchanged);
        deps.metrics?.onlyByPolling.inc({}, outcome.onlyByPolling);
        for (const event of [...outcome.created, ...outcome.updated]) deps.onEventAdded(event);
      }
    }
    if (!page.next_token) return read;
    nextToken = page.next_token;
  }
}

/** Oura's heart-rate rows ({timestamp, bpm, source}); rows without a usable instant or bpm are left out. */
export function heartRateSamples(rows: Record<string, unknown>[]): HeartRateSample[] {
  const samples: HeartRateSample[] = [];
  for (const row of rows) {
    const atMs = typeof row.timestamp === "string" ? Date.parse(row.timestamp) : typeof row.timestamp_unix === "number" ? row.timestamp_unix : Number.NaN;
    if (!Number.isFinite(atMs) || typeof row.bpm !== "number" || !Number.isFinite(row.bpm)) continue;
    samples.push({ atMs, bpm: Math.round(row.bpm), source: typeof row.source === "string" ? row.source : null });
  }
  return samples;
}
