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
  /** Jobs one worker runs at once. */
  STREAM_WORKER_CONCURRENCY: envInt(16, 1, 1_000),
  /** A job unacknowledged this long by a dead worker is taken over by another. */
  STREAM_CLAIM_IDLE_MS: envInt(30_000, 1_000),
};

export type StreamWorkerEnv = ReturnType<typeof loadStreamWorkerEnv>;

export function loadStreamWorkerEnv(source: Record<string, string | undefined>) {
  return parseEnv(streamWorkerEnvShape, source);
}
