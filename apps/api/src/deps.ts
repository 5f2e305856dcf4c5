import type { Bus } from "@chat/bus";
import type { AgentRegistry, ChatService, Logger, Metrics, TokenVerifier } from "@chat/core";
import type { ChatRepository } from "@chat/db";
import type { FilesOptions } from "./files/options";

/** What the api needs; the caller (main.ts, the standalone server, a test) builds it. */
export interface ApiDeps {
  repo: ChatRepository;
  bus: Bus;
  chat: ChatService;
  agents: AgentRegistry;
  verifyToken: TokenVerifier;
  logger: Logger;
  /** Browser origins allowed to call the API (CORS). */
  corsOrigins: readonly string[];
  /** Answers /readyz: resolves when PostgreSQL and Redis answer. */
  checkReady?: () => Promise<void>;
  /** Prometheus metrics of this process (served at /metrics); none recorded when omitted. */
  metrics?: Metrics;
  /** Uploads and downloads: storage driver, limits, URL signing. @default local storage, spec limits */
  files?: FilesOptions;
  /**
   * Per-user message limit (RATE_LIMIT_MESSAGES_PER_MINUTE when RATE_LIMIT_ENABLED), shared with
   * the edges' WS limit. `false` or omitted: no limit.
   */
  messagesPerMinute?: number | false;
}
