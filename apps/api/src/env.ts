import { commonEnv, envInt, envStringList, parseEnv } from "@chat/core";

/** The api's environment, parsed once at start (names and defaults from the spec). */
export const apiEnvShape = {
  ...commonEnv,
  SERVICE_PORT: envInt(8003, 0, 65_535),
  CORS_ORIGINS: envStringList(["http://localhost:9060", "http://localhost:9050"]),
};

export type ApiEnv = ReturnType<typeof loadApiEnv>;

export function loadApiEnv(source: Record<string, string | undefined>) {
  return parseEnv(apiEnvShape, source);
}
