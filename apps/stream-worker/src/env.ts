import { commonEnv, envInt, parseEnv } from "@chat/core";

/** The worker's environment, parsed once at start (names and defaults from the spec). */
export const streamWorkerEnvShape = {
  ...commonEnv,
  /** Port of the worker's /healthz and /readyz. */
  SERVICE_PORT: envInt(8003, 0, 65_535),
  /** Characters per chunk of the demo agent. */
  STREAM_CHUNK_SIZE: envInt(10, 1),
  /** Milliseconds between chunks of the demo agent. */
  STREAM_DELAY_MS: envInt(50, 0),
  /**
   * Replies one worker runs at once. A reply mostly waits on its agent (seconds of streamed
   * tokens), so slots, not CPU, run out first: at 16 (the old default), with 20 s replies a
   * worker could start 0.8 replies a second, and the 17th user's reply waited in the queue
   * until one of the 16 ended. One worker carried 200 streams at 25–33% of a CPU
   * (`pnpm bench:stream`, session 7).
   */
  STREAM_WORKER_CONCURRENCY: envInt(64, 1, 1_000),
  /** A job unacknowledged this long by a dead worker is taken over by another. */
  STREAM_CLAIM_IDLE_MS: envInt(30_000, 100),
  /** Deliveries of one job before it is given up with an error reply. */
  STREAM_MAX_DELIVERIES: envInt(5, 1, 100),
  /** Window in which tiny tokens of real agents are merged into one chunk (0: never). */
  STREAM_COALESCE_MS: envInt(4, 0, 1_000),
  /** Milliseconds until an agent answers at all. */
  AGENT_CONNECT_TIMEOUT_MS: envInt(10_000, 1),
  /** Milliseconds from the agent's answer to its first text. */
  AGENT_FIRST_TOKEN_TIMEOUT_MS: envInt(60_000, 1),
  /** Longest silence, in ms, between two pieces of an agent's text. */
  AGENT_IDLE_TIMEOUT_MS: envInt(30_000, 1),
};

/** Looks up secrets named by AGENTS_FILE (`api_key_env`) in the same environment. */
export function secretLookup(source: Record<string, string | undefined>): (name: string) => string | undefined {
  return (name) => source[name];
}

/** The worker options that come from the environment. */
export function workerOptionsFromEnv(env: StreamWorkerEnv) {
  return {
    concurrency: env.STREAM_WORKER_CONCURRENCY,
    claimIdleMs: env.STREAM_CLAIM_IDLE_MS,
    maxDeliveries: env.STREAM_MAX_DELIVERIES,
    coalesce: { windowMs: env.STREAM_COALESCE_MS },
    timeouts: {
      connectMs: env.AGENT_CONNECT_TIMEOUT_MS,
      firstTokenMs: env.AGENT_FIRST_TOKEN_TIMEOUT_MS,
      idleMs: env.AGENT_IDLE_TIMEOUT_MS,
    },
  };
}

export type StreamWorkerEnv = ReturnType<typeof loadStreamWorkerEnv>;

export function loadStreamWorkerEnv(source: Record<string, string | undefined>) {
  return parseEnv(streamWorkerEnvShape, source);
}
