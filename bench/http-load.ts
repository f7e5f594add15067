// Closed-loop HTTP/1.1 load over raw keep-alive sockets: N connections, each sends a request as soon as the last answer
// is complete. Raw sockets keep the generator's own cost low, so the server is what gets measured.
import type { Socket } from "bun";

export interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
}

interface ConnectionState {
  buffer: Buffer;
  onResponse?: (status: number) => void;
}

const HEADER_END = Buffer.from("\r\n\r\n");

function tryParseResponse(state: ConnectionState): number | undefined {
  const end = state.buffer.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = state.buffer.subarray(0, end).toString("latin1");
  const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  const total = end + 4 + length;
  if (state.buffer.length < total) return undefined;
  state.buffer = state.buffer.subarray(total);
  return Number(head.slice(9, 12));
}

export async function openConnection(url: URL) {
  const state: ConnectionState = { buffer: Buffer.alloc(0) };
  const socket: Socket<undefined> = await Bun.connect({
    hostname: url.hostname,
    port: Number(url.port),
    socket: {
      data(_socket, chunk) {
        state.buffer = state.buffer.length ? Buffer.concat([state.buffer, chunk]) : Buffer.from(chunk);
        for (;;) {
          const status = tryParseResponse(state);
          if (status === undefined) return;
          const callback = state.onResponse;
          state.onResponse = undefined;
          callback?.(status);
        }
      },
    },
  });
  return {
    /** Sends one request and resolves with the status code. */
    request(bytes: Uint8Array): Promise<number> {
      return new Promise((resolve) => {
        state.onResponse = resolve;
        socket.write(bytes);
      });
    },
    close: () => socket.end(),
  };
}

export function httpRequest(url: URL, headers: Record<string, string>, body: string): Uint8Array {
  const lines = [`POST ${url.pathname} HTTP/1.1`, `Host: ${url.host}`, `Content-Length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

/** Drives `connections` closed loops for `seconds`; makeRequest is called for every request sent. */
export async function runClosedLoop(url: URL, connections: number, seconds: number, makeRequest: () => Uint8Array): Promise<LoadResult> {
  const clients = await Promise.all(Array.from({ length: connections }, () => openConnection(url)));
  const latenciesMs: number[] = [];
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const sentAt = performance.now();
        const status = await client.request(makeRequest());
        latenciesMs.push(performance.now() - sentAt);
        if (status >= 200 && status < 300) ok++;
        else failed++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const client of clients) client.close();
  return { requests: ok + failed, ok, failed, seconds: elapsed, latenciesMs };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
