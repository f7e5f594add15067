// The baseline: a bare Bun.serve that reads the body and answers 200. Prints its URL on stdout.
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  async fetch(request) {
    await request.arrayBuffer();
    return new Response("ok");
  },
});
console.log(`server.listening url=${server.url.href}`);
process.on("SIGTERM", () => {
  server.stop();
  process.exit(0);
});
export {};
