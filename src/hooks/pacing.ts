// How hard the webhook dispatcher may work. While ingest is quiet, at full speed; while it is busy
// (realtime/ingest-pressure.ts), a small share — a short slice of the queue and one attempt per endpoint every BUSY.paceMs — so a burst is
// absorbed by the durable queue instead of competing with ingest for the core and for the disk's flushes. The work
// left waits in the database and is done at full speed once the burst is over.

import type { IngestPressure } from "../realtime/ingest-pressure.ts";

export interface Pace {
  /** Queued events expanded into deliveries per run. */
  slice: number;
  /** Attempts in flight at once, across endpoints and per endpoint. */
  concurrency: number;
  perEndpoint: number;
  /** The least time between two runs asked for by committed events or finished attempts. */
  paceMs: number;
}

export const QUIET: Pace = { slice: 500, concurrency: 16, perEndpoint: 4, paceMs: 25 };
export const BUSY: Pace = { slice: 50, concurrency: 3, perEndpoint: 1, paceMs: 200 };

/** The pace for now: a small share while ingest is busy. */
export const paceOf = (pressure: IngestPressure, at?: number): Pace => (pressure.busy(at) ? BUSY : QUIET);
