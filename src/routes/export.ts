// GET /export: the same export as the CLI, streamed over HTTP and scoped like every data route.
import { z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { exportContentType } from "../export/export.ts";
import { type ExportServiceDeps, exportService } from "../services/exports.ts";
import { errorResponse } from "../schemas/common.ts";
import { Instant } from "../schemas/instant.ts";
import { DataType } from "../schemas/notification.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";

const exportRoute = defineRoute({
  method: "get",
  path: "/export",
  tags: ["Events"],
  summary: "Stream events or documents as NDJSON or CSV (a wearer's own; an operator's of every user, or of user_id)",
  security: DATA_SECURITY,
  request: {
    query: z.object({
      what: z.enum(["events", "documents"]).default("events"),
      format: z.enum(["ndjson", "csv"]).default("ndjson"),
      since: Instant.optional(),
      data_type: DataType.optional(),
      user_id: z.string().min(1).max(256).optional(),
    }),
  },
  responses: {
    200: {
      description: "The export, newest first",
      content: { "application/x-ndjson": { schema: z.string() }, "text/csv": { schema: z.string() } },
    },
    400: errorResponse("Invalid query"),
    401: errorResponse("Not signed in"),
  },
});

export function createExportRoutes(deps: ExportServiceDeps & Pick<AppDeps, "logger">) {
  const app = createRouter();
  const exports = exportService(deps);
  app.openapi(exportRoute, (c) => {
    const query = c.req.valid("query");
    const lines = exports.lines(c.var.principal, { kind: query.what, format: query.format, since: query.since, dataType: query.data_type, userId: query.user_id });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let next: IteratorResult<string>;
        try {
          next = await lines.next();
        } catch (error) {
          // The status line is already sent: the stream is cut (the client sees it end early), and the log says why.
          deps.logger.error("export.failed", { what: query.what, error: error instanceof Error ? `${error.name}: ${error.message}` : "unknown", effect: "the export ended early" });
          controller.error(new Error("the export could not be completed"));
          return;
        }
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    const filename = `oura-${query.what}.${query.format === "csv" ? "csv" : "ndjson"}`;
    return new Response(body, { headers: { "content-type": exportContentType(query.format), "content-disposition": `attachment; filename="${filename}"` } }) as never;
  });
  return app;
}
