// The fetched Oura documents: latest version per user, data type and id.
import { documentService } from "../services/documents.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { DocumentList, DocumentParams, DocumentQuery, StoredDocument } from "../schemas/document.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";
import type { DocumentServiceDeps } from "../services/documents.ts";


const listRoute = defineRoute({
  method: "get",
  path: "/documents",
  tags: ["Documents"],
  summary: "Stored documents, newest day first",
  security: DATA_SECURITY,
  request: { query: DocumentQuery },
  responses: { 200: jsonResponse(DocumentList, "Documents"), 400: errorResponse("Invalid query"), 401: errorResponse("Not signed in") },
});

const getRoute = defineRoute({
  method: "get",
  path: "/documents/{data_type}/{id}",
  tags: ["Documents"],
  summary: "One stored document",
  security: DATA_SECURITY,
  request: { params: DocumentParams },
  responses: { 200: jsonResponse(StoredDocument, "The document"), 401: errorResponse("Not signed in"), 404: errorResponse("Not stored") },
});

export function createDocumentRoutes(deps: DocumentServiceDeps) {
  const app = createRouter();
  const documents = documentService(deps);

  app.openapi(listRoute, async (c) => {
    const { limit, ...filter } = c.req.valid("query");
    const found = await documents.list(c.var.principal, filter, limit);
    return c.json({ count: found.length, documents: found }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { data_type, id } = c.req.valid("param");
    return c.json(await documents.get(c.var.principal, data_type, id), 200);
  });

  return app;
}
