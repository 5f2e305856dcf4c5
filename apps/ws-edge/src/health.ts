import type { IncomingMessage, ServerResponse } from "node:http";
import type { WsEdge } from "./edge";

/**
 * `/healthz` (the process is up) and `/readyz` (503 once draining, so the load balancer stops
 * sending new sockets while the old ones are told 1012). Anything else is 404.
 */
export function createHealthHandler(edge: Pick<WsEdge, "draining">) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?")[0];
    res.setHeader("content-type", "application/json");
    if (path === "/healthz") return void res.writeHead(200).end('{"status":"ok"}');
    if (path === "/readyz") {
      const ready = !edge.draining;
      return void res.writeHead(ready ? 200 : 503).end(JSON.stringify({ status: ready ? "ready" : "draining" }));
    }
    res.writeHead(404).end();
  };
}
