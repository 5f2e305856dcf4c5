import type { Bus } from "@chat/bus";
import type { ChatService, Logger, TokenVerifier } from "@chat/core";
import type { ChatRepository } from "@chat/db";

export interface WsEdgeOptions {
  /** Browser origins allowed to open a socket; same-origin pages are always allowed. */
  corsOrigins: readonly string[];
  /** Most open sockets on this edge. @default 1_000 */
  maxConnections?: number;
  /** Ping interval in ms; a peer that misses a pong is terminated. @default 30_000 */
  heartbeatIntervalMs?: number;
  /** Close with 4408 after this long without a frame from the client. @default 300_000 */
  idleTimeoutMs?: number;
  /** Largest inbound frame in bytes (ws maxPayload). @default 65_536 */
  maxPayload?: number;
  /** Past this many buffered bytes a socket gets no typing events. @default 1 MiB */
  softBufferLimit?: number;
  /** Past this many buffered bytes a socket is closed (4429) and must recover. @default 8 MiB */
  hardBufferLimit?: number;
  /** How long `close()` waits for sockets to go before terminating them. @default 5_000 */
  drainTimeoutMs?: number;
}

export interface WsEdgeDeps extends WsEdgeOptions {
  repo: ChatRepository;
  bus: Bus;
  chat: ChatService;
  verifyToken: TokenVerifier;
  logger: Logger;
}

export type ResolvedEdgeOptions = Required<WsEdgeOptions>;

export function resolveOptions(options: WsEdgeOptions): ResolvedEdgeOptions {
  return {
    corsOrigins: options.corsOrigins,
    maxConnections: options.maxConnections ?? 1_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
    maxPayload: options.maxPayload ?? 65_536,
    softBufferLimit: options.softBufferLimit ?? 1 << 20,
    hardBufferLimit: options.hardBufferLimit ?? 8 << 20,
    drainTimeoutMs: options.drainTimeoutMs ?? 5_000,
  };
}
