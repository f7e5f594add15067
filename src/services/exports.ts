// Exports as each principal may have them: an operator every user's (or one), a wearer their own only.
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { type ExportOptions, exportLines } from "../export/export.ts";

async function* nothing(): AsyncGenerator<string> {}

export type ExportServiceDeps = Pick<AppDeps, "events" | "documents">;

export function exportService(deps: ExportServiceDeps) {
  return {
    lines(principal: Principal, options: ExportOptions): AsyncGenerator<string> {
      const only = principal.scope(options.userId);
      return only === null ? nothing() : exportLines(deps, { ...options, userId: only });
    },
  };
}
