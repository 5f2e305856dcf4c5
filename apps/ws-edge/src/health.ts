import { createOpsHandler, type Metrics } from "@chat/core";
import type { WsEdge } from "./edge";

/**
 * `/healthz` (the process is up), `/readyz` (503 once draining, so the load balancer stops
 * sending new sockets while the old ones are told 1012, or while PostgreSQL or Redis is
 * unreachable) and `/metrics`.
 */
export function createHealthHandler(
  edge: Pick<WsEdge, "draining">,
  options: { checkReady?: () => Promise<void>; metrics?: Metrics } = {},
) {
  return createOpsHandler({ draining: () => edge.draining, ...options });
}
