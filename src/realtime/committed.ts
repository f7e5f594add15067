// Who hears of each committed event besides the live sockets: the sinks (MQTT, outgoing webhooks) wake on it instead of
// waiting for their next tick. A listener only wakes its job: what the job sends it reads from the store, so a listener
// that throws or is slow never reaches ingest.
import type { Event } from "../storage/events.ts";

export type CommitListener = (event: Event, created: boolean) => void;

export interface CommitListeners {
  /** Adds a listener; the returned function removes it. */
  add(listener: CommitListener): () => void;
  emit(event: Event, created: boolean): void;
}

export function createCommitListeners(onError: (error: unknown) => void = () => {}): CommitListeners {
  const listeners = new Set<CommitListener>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(event, created) {
      for (const listener of listeners) {
        try {
          listener(event, created);
        } catch (error) {
          onError(error);
        }
      }
    },
  };
}
