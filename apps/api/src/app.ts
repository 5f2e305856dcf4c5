import cors from "cors";
import express, { type Express } from "express";
import type { ApiDeps } from "./deps";
import { resolveFilesOptions } from "./files/options";
import { requireAuth } from "./http/auth";
import { errorHandler, notFoundHandler } from "./http/errors";
import { jsonBodies } from "./http/json-body";
import { observeRequests } from "./http/observe";
import { limitMessages, MESSAGE_ROUTES } from "./http/rate-limit";
import { docsRoutes, openApiRoute } from "./routes/docs";
import { downloadRoutes } from "./routes/downloads";
import { fileInfoRoutes, fileUploadRoutes } from "./routes/files";
import { messageRoutes } from "./routes/messages";
import { participantRoutes } from "./routes/participants";
import { readRoutes } from "./routes/read";
import { searchRoutes } from "./routes/search";
import { sessionRoutes } from "./routes/sessions";
import { streamRoutes } from "./routes/stream";

export interface Api {
  /** The Express app; mount it on any http server. */
  app: Express;
  /** Stop accepting work (readiness turns false). Idempotent. */
  close(): Promise<void>;
}

/** REST for `/api/chat/*`, file downloads, `/docs`, plus `/healthz`, `/readyz` and `/metrics`. */
export function createApi(deps: ApiDeps): Api {
  const app = express();
  let closing = false;
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/metrics", async (_req, res) => {
    if (!deps.metrics) return void res.status(404).end();
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use(observeRequests(deps.logger, deps.metrics));
  app.get("/readyz", async (_req, res) => {
    if (closing) return void res.status(503).json({ status: "draining" });
    try {
      await deps.checkReady?.();
      res.json({ status: "ready" });
    } catch {
      res.status(503).json({ status: "unavailable" });
    }
  });

  // The API reference is public: no token needed to read how to get one.
  app.use("/docs", docsRoutes());
  const files = resolveFilesOptions(deps.files);
  // CORS too: a page on an allowed origin may fetch() a file with its Bearer token.
  const exposedHeaders = ["Content-Disposition", "Content-Range", "Accept-Ranges", "ETag", "Content-Length"];
  app.use("/files", cors({ origin: [...deps.corsOrigins], maxAge: 600, exposedHeaders }), downloadRoutes(deps, files));

  const api = express.Router();
  api.use(cors({ origin: [...deps.corsOrigins], maxAge: 600 }));
  api.get("/openapi.json", openApiRoute());
  api.use(requireAuth(deps.verifyToken));
  const limit = limitMessages(deps);
  if (limit) api.post(MESSAGE_ROUTES, limit);
  // Uploads read their own (multipart) body; every other body is JSON.
  api.use("/sessions/:sessionId/files", fileUploadRoutes(deps, files));
  api.use(jsonBodies("256kb"));
  api.use("/sessions/:sessionId/messages", streamRoutes(deps));
  api.use("/sessions/:sessionId/messages", messageRoutes(deps));
  api.use("/sessions/:sessionId/participants", participantRoutes(deps));
  api.use("/sessions/:sessionId/read", readRoutes(deps));
  api.use("/files", fileInfoRoutes(deps, files));
  api.use("/sessions", sessionRoutes(deps));
  api.use("/search", searchRoutes(deps));
  app.use("/api/chat", api);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));

  return {
    app,
    async close() {
      closing = true;
    },
  };
}
