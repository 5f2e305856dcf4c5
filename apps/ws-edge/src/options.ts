import type { Bus } from "@chat/bus";
import type { ChatService, Logger, Metrics, TokenVerifier } from "@chat/core";
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
  /**
   * Past this many buffered bytes a socket gets no typing events, and further frames wait on the
   * edge, where consecutive chunks of one stream are merged. @default 256 KiB
   */
  softBufferLimit?: number;
  /** Past this many bytes held for one socket it is closed (4429) and must recover. @default 4 MiB */
  hardBufferLimit?: number;
  /** How long `close()` waits for sockets to go before terminating them. @default 5_000 */
  drainTimeoutMs?: number;
  /**
   * Per-user message limit across all edges (RATE_LIMIT_MESSAGES_PER_MINUTE); `false` or
   * omitted: no limit. @default false
   */
  messagesPerMinute?: number | false;
  /**
   * Presence entries live this long without a heartbeat refresh (then an edge that died is
   * forgotten). The same on every edge. @default 2 × heartbeatIntervalMs + 10_000
   */
  presenceTtlMs?: number;
  /** A typist not heard from for this long is reported as stopped. @default 5_000 */
  typingTimeoutMs?: number;
  /** At most one `is_typing: true` per user per session per this many ms. @default 1_000 */
  typingThrottleMs?: number;
  /** How long a missing seq is waited for before it is read from PostgreSQL. @default 50 */
  gapWaitMs?: number;
  /** Invalid frames per minute after which a socket is closed with 4400. @default 30 */
  maxInvalidFramesPerMinute?: number;
}

export interface WsEdgeDeps extends WsEdgeOptions {
  repo: ChatRepository;
  bus: Bus;
  chat: ChatService;
  verifyToken: TokenVerifier;
  logger: Logger;
  /** Prometheus metrics of this process; none recorded when omitted. */
  metrics?: Metrics;
}

export type ResolvedEdgeOptions = Required<WsEdgeOptions>;

export function resolveOptions(options: WsEdgeOptions): ResolvedEdgeOptions {
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 30_000;
  return {
    corsOrigins: options.corsOrigins,
    maxConnections: options.maxConnections ?? 1_000,
    heartbeatIntervalMs,
    idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
    maxPayload: options.maxPayload ?? 65_536,
    softBufferLimit: options.softBufferLimit ?? 256 << 10,
    hardBufferLimit: options.hardBufferLimit ?? 4 << 20,
    drainTimeoutMs: options.drainTimeoutMs ?? 5_000,
    messagesPerMinute: options.messagesPerMinute ?? false,
    presenceTtlMs: options.presenceTtlMs ?? heartbeatIntervalMs * 2 + 10_000,
    typingTimeoutMs: options.typingTimeoutMs ?? 5_000,
    typingThrottleMs: options.typingThrottleMs ?? 1_000,
    gapWaitMs: options.gapWaitMs ?? 50,
    maxInvalidFramesPerMinute: options.maxInvalidFramesPerMinute ?? 30,
  };
}
