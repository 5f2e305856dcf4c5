import { apiEnvShape } from "@chat/api";
import { envBoolean, envString, parseEnv } from "@chat/core";
import { streamWorkerEnvShape } from "@chat/stream-worker";
import { wsEdgeEnvShape } from "@chat/ws-edge";

/** All three apps' variables: the standalone server reads the union, once. */
export const standaloneEnvShape = {
  ...apiEnvShape,
  ...wsEdgeEnvShape,
  ...streamWorkerEnvShape,
  /** Serve `POST /dev/login` (a token for any name you type). Local use only; refused in production. */
  DEV_LOGIN: envBoolean(false),
  /** The built web page served at `/` ("" → apps/web/dist of this checkout). */
  WEB_DIST_DIR: envString(""),
};

export type StandaloneEnv = ReturnType<typeof loadStandaloneEnv>;

export function loadStandaloneEnv(source: Record<string, string | undefined>) {
  const env = parseEnv(standaloneEnvShape, source);
  if (env.DEV_LOGIN && env.NODE_ENV === "production") {
    throw new Error("DEV_LOGIN: development login must not be enabled when NODE_ENV=production");
  }
  return env;
}
