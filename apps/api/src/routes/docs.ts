import { type RequestHandler, Router } from "express";
import { docsCss, docsHtml, docsJs } from "../openapi/docs-page";
import { buildOpenApiDocument } from "../openapi/document";

/** `GET /api/chat/openapi.json`: built once, on first request. Public. */
export function openApiRoute(): RequestHandler {
  let json: string | undefined;
  return (_req, res) => {
    json ??= JSON.stringify(buildOpenApiDocument());
    res.type("application/json").send(json);
  };
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/** `/docs`: the human-readable reference (renders the OpenAPI document in the browser). Public. */
export function docsRoutes(): Router {
  const router = Router();
  const serve =
    (type: string, body: string): RequestHandler =>
    (_req, res) => {
      res.setHeader("Content-Security-Policy", CSP);
      res.setHeader("X-Content-Type-Options", "nosniff");
      res.setHeader("Cache-Control", "no-cache");
      res.type(type).send(body);
    };
  router.get("/", serve("html", docsHtml));
  router.get("/docs.js", serve("application/javascript", docsJs));
  router.get("/docs.css", serve("css", docsCss));
  return router;
}
