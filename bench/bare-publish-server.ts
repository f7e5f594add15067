// Latency floors: a bare Bun.serve that publishes each POSTed body to every WebSocket at once (no checks, no
// storage). With DURABLE_FILE set, it first writes the body into that file and fdatasyncs it, as any server must
// that publishes only what would survive a power cut: the floor for a durable server on this disk.
// Speaks just enough of /ws/events for the load worker's clients. Prints its URL on stdout.
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";

const REGION_BYTES = 4 * 1024 * 1024;
const durable = process.env.DURABLE_FILE ? openSync(process.env.DURABLE_FILE, "w+") : undefined;
let offset = 0;
if (durable !== undefined) {
  // Preallocated and overwritten in place, like a recycled WAL: each sync flushes data, not file-size metadata.
  writeSync(durable, Buffer.alloc(REGION_BYTES));
  fdatasyncSync(durable);
}

function persist(body: string): void {
  if (durable === undefined) return;
  const bytes = Buffer.from(body);
  if (offset + bytes.length > REGION_BYTES) offset = 0;
  writeSync(durable, bytes, 0, bytes.length, offset);
  offset += bytes.length;
  fdatasyncSync(durable);
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  async fetch(request, bunServer) {
    if (new URL(request.url).pathname === "/ws/events") {
      return bunServer.upgrade(request, { data: undefined }) ? undefined : new Response("upgrade", { status: 426 });
    }
    const body = await request.text();
    persist(body);
    bunServer.publish("events", `{"type":"event","event":${body}}`);
    return new Response('{"id":0,"duplicate":false}', { status: 201 });
  },
  websocket: {
    open(ws) {
      ws.subscribe("events");
      ws.send('{"type":"ready"}');
    },
    message() {},
  },
});
console.log(`server.listening url=${server.url.href}`);
process.on("SIGTERM", () => {
  server.stop();
  if (durable !== undefined) closeSync(durable);
  process.exit(0);
});
