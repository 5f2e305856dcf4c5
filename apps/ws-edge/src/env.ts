import { commonEnv, envBoolean, envInt, envStringList, parseEnv } from "@chat/core";

/** The edge's environment, parsed once at start (names and defaults from the spec). */
export const wsEdgeEnvShape = {
  ...commonEnv,
  SERVICE_PORT: envInt(8003, 0, 65_535),
  CORS_ORIGINS: envStringList(["http://localhost:9060", "http://localhost:9050"]),
  WS_MAX_CONNECTIONS: envInt(1_000, 1),
  /** Seconds between pings; a peer that misses one is terminated. */
  WS_HEARTBEAT_INTERVAL: envInt(30, 1),
  /** Seconds without a frame from the client before the edge closes with 4408. */
  WS_CONNECTION_TIMEOUT: envInt(300, 1),
  WS_MESSAGE_SIZE_LIMIT: envInt(65_536, 256),
  RATE_LIMIT_ENABLED: envBoolean(false),
  RATE_LIMIT_MESSAGES_PER_MINUTE: envInt(60, 1),
  /**
   * Milliseconds a message waits for others (of any session) to share its PostgreSQL commit;
   * a commit costs the database about as much CPU as storing several rows, so at a modest rate
   * this divides the database's CPU per message several times over, for that much latency.
   * Under load batches fill before the window ends. 0: only messages that arrive in the same
   * event-loop turn share a commit.
   */
  MESSAGE_BATCH_WINDOW_MS: envInt(40, 0, 1_000),
};

export type WsEdgeEnv = ReturnType<typeof loadWsEdgeEnv>;

export function loadWsEdgeEnv(source: Record<string, string | undefined>) {
  return parseEnv(wsEdgeEnvShape, source);
}
