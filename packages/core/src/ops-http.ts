import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "./metrics";

export interface OpsHandlerOptions {
  /** True once the app is draining: readiness turns 503 so no new work is routed to it. */
  draining: () => boolean;
  /** Resolves when the app's dependencies (PostgreSQL, Redis) answer; rejects otherwise. */
  checkReady?: () => Promise<void>;
  metrics?: Metrics;
}

/**
 * The operational endpoints of a process without its own HTTP app (ws-edge, stream-worker):
 * `/healthz` (alive), `/readyz` (not draining and PostgreSQL and Redis reachable) and
 * `/metrics` (Prometheus). Anything else is 404.
 */
export function createOpsHandler(options: OpsHandlerOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics" && options.metrics) {
      const body = await options.metrics.registry.metrics();
      res.writeHead(200, { "content-type": options.metrics.registry.contentType }).end(body);
      return;
    }
    res.setHeader("content-type", "application/json");
    if (path === "/healthz") return void res.writeHead(200).end('{"status":"ok"}');
    if (path === "/readyz") {
      if (options.draining()) return void res.writeHead(503).end('{"status":"draining"}');
      try {
        await options.checkReady?.();
        res.writeHead(200).end('{"status":"ready"}');
      } catch {
        res.writeHead(503).end('{"status":"unavailable"}');
      }
      return;
    }
    res.writeHead(404).end('{"error":{"code":"NOT_FOUND","message":"Not found"}}');
  };
}
