// Every file the server serves from disk, imported as files so dev, tests and the compiled binary agree.
import swaggerUiBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import swaggerUiCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };

export interface Asset {
  file: string;
  contentType: string;
}

export const ASSETS: Record<string, Asset> = {
  "/swagger-ui-dist/swagger-ui-bundle.js": { file: swaggerUiBundle, contentType: "text/javascript; charset=utf-8" },
  "/swagger-ui-dist/swagger-ui.css": { file: swaggerUiCss, contentType: "text/css; charset=utf-8" },
};
