import { apiEnvShape } from "@chat/api";
import { parseEnv } from "@chat/core";
import { streamWorkerEnvShape } from "@chat/stream-worker";
import { wsEdgeEnvShape } from "@chat/ws-edge";

/** All three apps' variables: the standalone server reads the union, once. */
export const standaloneEnvShape = { ...apiEnvShape, ...wsEdgeEnvShape, ...streamWorkerEnvShape };

export type StandaloneEnv = ReturnType<typeof loadStandaloneEnv>;

export function loadStandaloneEnv(source: Record<string, string | undefined>) {
  return parseEnv(standaloneEnvShape, source);
}
