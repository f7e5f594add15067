// The fetched Oura documents: latest version per user, data type and id.
import { createRoute } from "@hono/zod-openapi";
import { visibleUser } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { DocumentList, DocumentParams, DocumentQuery, StoredDocument } from "../schemas/document.ts";
import { createRouter, DATA_SECURITY } from "./router.ts";


const listRoute = createRoute({
  method: "get",
  path: "/documents",
  tags: ["Documents"],
  summary: "Stored documents, newest day first",
  security: DATA_SECURITY,
  request: { query: DocumentQuery },
  responses: { 200: jsonResponse(DocumentList, "Documents"), 400: errorResponse("Invalid query"), 401: errorResponse("Not signed in") },
});

const getRoute = createRoute({
  method: "get",
  path: "/documents/{data_type}/{id}",
  tags: ["Documents"],
  summary: "One stored document",
  security: DATA_SECURITY,
  request: { params: DocumentParams },
  responses: { 200: jsonResponse(StoredDocument, "The document"), 401: errorResponse("Not signed in"), 404: errorResponse("Not stored") },
});

export function createDocumentRoutes(deps: AppDeps) {
  const app = createRouter(deps);

  app.openapi(listRoute, async (c) => {
    const { limit, ...filter } = c.req.valid("query");
    const only = visibleUser(c.var.principal);
    if (only !== undefined && filter.user_id !== undefined && filter.user_id !== only) return c.json({ count: 0, documents: [] }, 200);
    const documents = await deps.store.listDocuments({ ...filter, user_id: only ?? filter.user_id }, limit);
    return c.json({ count: documents.length, documents }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { data_type, id } = c.req.valid("param");
    const document = await deps.store.getDocument(data_type, id, visibleUser(c.var.principal));
    if (!document) throw new AppError(404, "document_not_found", `no stored ${data_type} document ${id}`);
    return c.json(document, 200);
  });

  return app;
}
