// Fan-out of committed events to live subscribers, by topic.
import type { Server } from "bun";
import type { FeedContext } from "../views/event-words.ts";
import { type CommitListeners, createCommitListeners } from "./committed.ts";

export interface Broadcaster {
  /** Sends one pre-rendered message to every subscriber of the topic. */
  publish(topic: string, message: string): void;
  /** Whether anyone listens: lets a message that costs something to render be skipped. */
  hasSubscribers(topic: string): boolean;
  /** What the live feed says of a user (their name, their usual values), when known. */
  feedContext?: FeedContext;
  /** Told of every committed event (created, or changed by its fetch), whether or not a socket listens. */
  committed: CommitListeners;
}

/** The one topic a subscriber listens to; every event is published to each topic it matches. */
export function eventTopic({ userId, dataType, html = false }: { userId?: string; dataType?: string; html?: boolean }): string {
  return `${html ? "html:" : ""}events${userId === undefined ? "" : `:user:${userId}`}${dataType === undefined ? "" : `:data_type:${dataType}`}`;
}

/** Bun's native pub/sub: one call, the runtime writes to every socket without a JS loop. */
export function createBunBroadcaster(server: () => Server<unknown> | undefined, feedContext?: FeedContext, committed: CommitListeners = createCommitListeners()): Broadcaster {
  return {
    feedContext,
    committed,
    publish(topic, message) {
      server()?.publish(topic, message);
    },
    hasSubscribers(topic) {
      return (server()?.subscriberCount(topic) ?? 0) > 0;
    },
  };
}

export interface RecordingBroadcaster extends Broadcaster {
  messages: { topic: string; message: string }[];
}

export function createRecordingBroadcaster(): RecordingBroadcaster {
  const messages: { topic: string; message: string }[] = [];
  return { messages, committed: createCommitListeners(), publish: (topic, message) => void messages.push({ topic, message }), hasSubscribers: () => true };
}
