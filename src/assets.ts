// Every file the server serves from disk, imported as files so dev, tests and the compiled binary agree.
import dashboardCss from "../public/dashboard.css" with { type: "file" };
import dashboardJs from "../public/dashboard.js" with { type: "file" };
import favicon from "../public/favicon.svg" with { type: "file" };
import htmx from "htmx.org/dist/htmx.min.js" with { type: "file" };
import htmxWs from "htmx.org/dist/ext/hx-ws.min.js" with { type: "file" };
import swaggerUiBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import swaggerUiCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };

export interface Asset {
  file: string;
  contentType: string;
}

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

export const ASSETS: Record<string, Asset> = {
  "/swagger-ui-dist/swagger-ui-bundle.js": { file: swaggerUiBundle, contentType: JS },
  "/swagger-ui-dist/swagger-ui.css": { file: swaggerUiCss, contentType: CSS },
  // htmx 4 (pinned): its WebSocket extension ships in the same package and swaps <hx-partial> messages.
  "/static/htmx.min.js": { file: htmx, contentType: JS },
  "/static/hx-ws.min.js": { file: htmxWs, contentType: JS },
  "/static/dashboard.css": { file: dashboardCss, contentType: CSS },
  "/static/dashboard.js": { file: dashboardJs, contentType: JS },
  "/static/favicon.svg": { file: favicon, contentType: "image/svg+xml" },
  // Browsers ask for /favicon.ico by themselves when a page names none (a JSON 404 otherwise, on every page).
  "/favicon.ico": { file: favicon, contentType: "image/svg+xml" },
};
