import type { Bus } from "@chat/bus";
import type { AgentRegistry, Logger, Metrics } from "@chat/core";
import type { ChatRepository } from "@chat/db";
import type { AgentBackend } from "./agents/backend";
import type { CoalescerOptions } from "./coalescer";
import type { AgentTimeouts } from "./watchdog";

export interface StreamWorkerOptions {
  /** Unique consumer name of this worker in the job group. */
  consumer: string;
  /** Jobs run at once. @default 64 */
  concurrency?: number;
  /** A job unacknowledged this long is taken over from its (dead) worker. @default 30_000 */
  claimIdleMs?: number;
  /** After this many deliveries a job is given up and the session gets an error reply. @default 5 */
  maxDeliveries?: number;
  /** How long the chunk buffer of a finished reply is kept for late resumers, in s. @default 300 */
  bufferTtlSeconds?: number;
  /** How long `close()` lets running replies finish before releasing them. @default 10_000 */
  drainTimeoutMs?: number;
  /** Blocking read timeout; bounds how long `close()` waits for the reader. @default 1_000 */
  blockMs?: number;
  /** Connect / first-token / idle limits of an agent call (AGENT_TIMEOUT past them). */
  timeouts?: AgentTimeouts;
  /** How tokens of real agents are merged into chunks. */
  coalesce?: CoalescerOptions;
}

export interface StreamWorkerDeps extends StreamWorkerOptions {
  repo: ChatRepository;
  bus: Bus;
  agents: AgentRegistry;
  /** Backend per agent kind (`AgentInfo.backend`: `demo`, `a2a`, `openai`). */
  backends: Record<string, AgentBackend>;
  logger: Logger;
  /** Prometheus metrics of this process; none recorded when omitted. */
  metrics?: Metrics;
}
