// Fan-out of committed events to live subscribers, by topic.
import type { Server } from "bun";

export interface Broadcaster {
  /** Sends one pre-rendered message to every subscriber of the topic. */
  publish(topic: string, message: string): void;
}

export const ALL_EVENTS_TOPIC = "events";
export const dataTypeTopic = (dataType: string) => `events:data_type:${dataType}`;

/** Bun's native pub/sub: one call, the runtime writes to every socket without a JS loop. */
export function createBunBroadcaster(server: () => Server<unknown> | undefined): Broadcaster {
  return {
    publish(topic, message) {
      server()?.publish(topic, message);
    },
  };
}

export interface RecordingBroadcaster extends Broadcaster {
  messages: { topic: string; message: string }[];
}

export function createRecordingBroadcaster(): RecordingBroadcaster {
  const messages: { topic: string; message: string }[] = [];
  return { messages, publish: (topic, message) => void messages.push({ topic, message }) };
}
