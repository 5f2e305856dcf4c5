import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createApi, filesOptionsFromEnv } from "@chat/api";
import {
  createMetrics,
  createServices,
  type Logger,
  newInstanceId,
  openRuntime,
  runtimeOptionsFromEnv,
} from "@chat/core";
import { createBackends, createStreamWorker, secretLookup, workerOptionsFromEnv } from "@chat/stream-worker";
import { createWsEdge } from "@chat/ws-edge";
import { handleDevLogin } from "./dev-login";
import type { StandaloneEnv } from "./env";
import { serveStatic } from "./static-files";

/** The web page's build output in this checkout (apps/web/dist). */
export const defaultWebDist = fileURLToPath(new URL("../../web/dist", import.meta.url));

/** Paths that belong to the service, never to the page. */
const SERVICE_PATH = /^\/(api|ws|files|healthz|readyz|metrics)(\/|$|\?)/;

export interface Standalone {
  server: Server;
  /** The port it listens on (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * All three apps in one process on one port: REST and `ws://host/ws/...` side by side, the
 * stream worker in the background. On PGlite and the in-process bus when DATABASE_URL and
 * REDIS_URL are unset, on the real servers when they are set.
 */
export async function startStandalone(
  env: StandaloneEnv,
  logger: Logger,
  /** Where `api_key_env` names of openai agents are looked up (main passes the environment). */
  secrets: Record<string, string | undefined> = {},
): Promise<Standalone> {
  const metrics = createMetrics({ app: "standalone" });
  const runtime = await openRuntime({
    metrics,
    ...runtimeOptionsFromEnv(env),
  });
  const services = createServices(runtime, env);
  const checkReady = runtime.ping;
  const files = filesOptionsFromEnv(env);
  const messagesPerMinute = env.RATE_LIMIT_ENABLED ? env.RATE_LIMIT_MESSAGES_PER_MINUTE : false;
  const api = createApi({
    ...runtime,
    ...services,
    logger,
    metrics,
    corsOrigins: env.CORS_ORIGINS,
    checkReady,
    files,
    messagesPerMinute,
  });
  const edge = createWsEdge({
    metrics,
    ...runtime,
    ...services,
    logger,
    corsOrigins: env.CORS_ORIGINS,
    maxConnections: env.WS_MAX_CONNECTIONS,
    heartbeatIntervalMs: env.WS_HEARTBEAT_INTERVAL * 1_000,
    idleTimeoutMs: env.WS_CONNECTION_TIMEOUT * 1_000,
    maxPayload: env.WS_MESSAGE_SIZE_LIMIT,
    messagesPerMinute,
  });
  const worker = createStreamWorker({
    metrics,
    ...runtime,
    agents: services.agents,
    logger,
    consumer: newInstanceId("stream-worker"),
    ...workerOptionsFromEnv(env),
    backends: createBackends({
      chunkSize: env.STREAM_CHUNK_SIZE,
      delayMs: env.STREAM_DELAY_MS,
      secret: secretLookup(secrets),
    }),
  });
  const webDist = env.WEB_DIST_DIR || defaultWebDist;
  const devLogin = env.DEV_LOGIN && env.NODE_ENV !== "production";
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/dev/config") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      return void res.end(JSON.stringify({ dev_login: devLogin }));
    }
    if (devLogin && url === "/dev/login" && req.method === "POST") {
      const options = {
        secret: env.JWT_SECRET_KEY,
        algorithm: env.JWT_ALGORITHM,
        audience: env.JWT_AUDIENCE[0],
        issuer: env.JWT_ISSUER[0],
      };
      return void handleDevLogin(req, res, options).catch(() => res.destroy());
    }
    if (SERVICE_PATH.test(url)) return void api.app(req, res);
    serveStatic(webDist, req, res).then(
      (served) => {
        if (!served) api.app(req, res);
      },
      () => api.app(req, res),
    );
  });
  server.on("upgrade", (req, socket, head) => {
    if (!edge.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.SERVICE_PORT, () => resolve());
  });
  worker.start();
  let closed: Promise<void> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close() {
      closed ??= (async () => {
        await Promise.all([api.close(), edge.close(), worker.close()]);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await runtime.close();
        await files.storage.close?.();
      })();
      return closed;
    },
  };
}
