// What is still to be shipped to the warehouse, and the shapes the warehouse exchanges with the local store. The
// warehouse side (databricks/) depends on these; storage depends on nothing of it.
import type { EventColumns } from "./events.ts";

/** An event as the warehouse receives it (local columns; the shipper maps them to the Delta table's). */
export interface OutboxEvent extends EventColumns {
  id: number;
  event_time_ms: number;
  /** The notification as received (JSON text). */
  notification: string;
  /** The document as JSON text, when known by the time the event is shipped. */
  document: string | null;
}

export interface OutboxDocument extends WarehouseDocument {
  /** Changes while a batch is in flight raise it: only the shipped version's mark is removed. */
  version: number;
}

export interface OutboxHeartRate {
  user_id: string;
  at_ms: number;
  bpm: number;
  source: string | null;
}

export interface OutboxStatus {
  /** Events not yet shipped. */
  events: number;
  /** Documents whose latest version is not yet shipped. */
  documents: number;
  /** Heart-rate samples not yet shipped. */
  heart_rate: number;
  oldest_pending_at: string | null;
  shipped_through_event_id: number;
}

/** What is still to be shipped to the warehouse, written in the same commits as the data itself. */
export interface Outbox {
  /** The oldest unshipped events, in id order. */
  pendingEvents(limit: number): OutboxEvent[];
  /** Every event up to this id is in the warehouse. */
  markEventsShipped(throughId: number): Promise<void>;
  pendingDocuments(limit: number): OutboxDocument[];
  markDocumentsShipped(documents: Pick<OutboxDocument, "user_id" | "data_type" | "document_id" | "version">[]): Promise<void>;
  pendingHeartRate(limit: number): OutboxHeartRate[];
  markHeartRateShipped(samples: Pick<OutboxHeartRate, "user_id" | "at_ms">[]): Promise<void>;
  outboxStatus(): OutboxStatus;
  /**
   * A fresh local store filled from the warehouse (after a redeploy lost the disk): documents, then events (each with its
   * document when one is known, else `missing`), marked as in Delta already so they never enter the outbox — whatever
   * arrives meanwhile (it runs in the background).
   */
  receiveFromWarehouse(documents: WarehouseDocument[], events: WarehouseEvent[]): Promise<{ events: number; documents: number }>;
}

/** An event read back from the warehouse. */
export interface WarehouseEvent extends EventColumns {
  /** The notification (JSON text). */
  payload: string;
  document: string | null;
}

/** A document as the warehouse keeps it (the latest version per user, type and id). */
export interface WarehouseDocument {
  user_id: string;
  data_type: string;
  document_id: string;
  day: string | null;
  payload: string | null;
  deleted: boolean;
  updated_at: string;
}
