// Fetched Oura documents as each principal may see them.
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import type { DocumentFilter, StoredDocument } from "../storage/documents.ts";

export type DocumentServiceDeps = Pick<AppDeps, "documents">;

export function documentService(deps: DocumentServiceDeps) {
  return {
    async list(principal: Principal, filter: DocumentFilter, limit: number): Promise<StoredDocument[]> {
      const only = principal.scope(filter.user_id);
      return only === null ? [] : deps.documents.listDocuments({ ...filter, user_id: only }, limit);
    },

    async get(principal: Principal, dataType: string, id: string): Promise<StoredDocument> {
      const document = await deps.documents.getDocument(dataType, id, principal.scope() ?? undefined);
      if (!document || !principal.canSee(document.user_id)) throw new AppError(404, "document_not_found", `no stored ${dataType} document ${id}`);
      return document;
    },
  };
}
