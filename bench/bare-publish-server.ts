// Latency floor: a bare Bun.serve that publishes each POSTed body to every WebSocket at once (no checks, no storage).
// Speaks just enough of /ws/events for the load worker's clients. Prints its URL on stdout.
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  async fetch(request, bunServer) {
    if (new URL(request.url).pathname === "/ws/events") {
      return bunServer.upgrade(request, { data: undefined }) ? undefined : new Response("upgrade", { status: 426 });
    }
    const body = await request.text();
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
  process.exit(0);
});
export {};
