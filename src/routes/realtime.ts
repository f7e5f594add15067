// /ws/events: upgrades an authenticated request to a Bun WebSocket subscribed to one topic.
import { requireOwnOrigin } from "../auth/own-origin.ts";
import { z } from "@hono/zod-openapi";
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { AppDeps, AppEnv, WebSocketData } from "../deps.ts";
import { AppError } from "../errors.ts";
import { eventTopic } from "../realtime/broadcaster.ts";
import { HTML_ANY } from "../realtime/event-messages.ts";
import { errorResponse } from "../schemas/common.ts";
import { DataType } from "../schemas/notification.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";

const streamRoute = defineRoute({
  method: "get",
  path: "/ws/events",
  tags: ["Events"],
  summary: "Live stream of committed events (WebSocket)",
  description:
    'Upgrade to a WebSocket. The first message is `{"type":"ready"}`; then each committed event arrives once as `{"type":"event","event":{…}}`, ' +
    'and again as `{"type":"event.updated","event":{…}}` when its document has been fetched (or the fetch ended). ' +
    "A client that stops reading is disconnected rather than allowed to slow ingestion.",
  security: DATA_SECURITY,
  request: {
    query: z.object({
      data_type: DataType.optional().openapi({ description: "Only events of this data type." }),
      format: z.enum(["json", "html"]).default("json").openapi({ description: "json for programs; html sends htmx partials (the dashboard)." }),
    }),
  },
  responses: {
    101: { description: "Switching protocols" },
    400: errorResponse("Invalid query"),
    401: errorResponse("Missing or wrong bearer token"),
    426: errorResponse("Not a WebSocket upgrade request"),
  },
});

export function createRealtimeRoutes(deps: Pick<AppDeps, "config" | "logger">) {
  const app = createRouter();
  app.openapi(streamRoute, (c) => {
    const { data_type, format } = c.req.valid("query");
    // A browser sends its cookies (and, behind the Apps front door, gets its identity) on a WebSocket opened by any
    // page, and no CORS rule stops that: a session's socket must come from our own pages.
    if (c.var.principal.kind === "session" || c.var.principal.kind === "app_user") requireOwnOrigin(c, deps.config.publicUrl, "a WebSocket");
    const server = c.env?.server;
    // A session is subscribed to its own user's topic: server.publish reaches every subscriber of a topic.
    // The dashboard's feed (html) follows its page: one's own ring when one has one; programs get all they may see.
    const only = format === "html" ? c.var.principal.personalScope() : c.var.principal.scope();
    if (only === null) throw new AppError(403, "not_linked", "no Oura user is visible to you here");
    const topic = eventTopic({ userId: only, dataType: data_type, html: format === "html" });
    if (!server || c.req.header("upgrade")?.toLowerCase() !== "websocket" || !server.upgrade(c.req.raw, { data: { topic } })) {
      throw new AppError(426, "upgrade_required", "connect with a WebSocket client");
    }
    // Bun has taken over the socket; this response is never sent.
    return new Response(null) as never;
  });
  return app;
}

/** Bytes a socket may have queued before it is dropped: a slow reader must not hold memory or slow publishers. */
export const WEBSOCKET_BACKPRESSURE_LIMIT = 1024 * 1024;

/** The handler for Bun.serve, and how many sockets it has open (for /metrics). */
export function createWebSocketHandler(deps: Pick<AppDeps, "logger">): {
  handler: WebSocketHandler<WebSocketData>;
  openSockets: () => number;
  /** Closes every open socket with 1001 "going away" (shutdown: a graceful stop would otherwise wait for them). */
  closeAll: () => void;
} {
  let open = 0;
  const sockets = new Set<ServerWebSocket<WebSocketData>>();
  const handler: WebSocketHandler<WebSocketData> = {
    backpressureLimit: WEBSOCKET_BACKPRESSURE_LIMIT,
    closeOnBackpressureLimit: true,
    idleTimeout: 120,
    sendPings: true,
    open(ws) {
      open++;
      sockets.add(ws);
      ws.subscribe(ws.data.topic);
      if (ws.data.topic.startsWith("html:")) ws.subscribe(HTML_ANY);
      // The dashboard's htmx socket must not be sent JSON it would ignore anyway.
      if (!ws.data.topic.startsWith("html:")) ws.send(JSON.stringify({ type: "ready", topic: ws.data.topic }));
      deps.logger.debug("ws.open", { topic: ws.data.topic });
    },
    message() {
      // The stream is one-way; client messages are ignored.
    },
    close(ws, code) {
      open--;
      sockets.delete(ws);
      deps.logger.debug("ws.close", { topic: ws.data.topic, code });
    },
  };
  return {
    handler,
    openSockets: () => open,
    closeAll() {
      for (const ws of sockets) ws.close(1001, "server shutting down");
    },
  };
}
