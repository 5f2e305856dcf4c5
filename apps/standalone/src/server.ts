import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApi, filesOptionsFromEnv } from "@chat/api";
import { createServices, type Logger, newInstanceId, openRuntime } from "@chat/core";
import { createDemoAgent, createStreamWorker } from "@chat/stream-worker";
import { createWsEdge } from "@chat/ws-edge";
import type { StandaloneEnv } from "./env";

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
export async function startStandalone(env: StandaloneEnv, logger: Logger): Promise<Standalone> {
  const runtime = await openRuntime({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL,
    maxConnections: env.DATABASE_POOL_SIZE,
  });
  const services = createServices(runtime, env);
  const checkReady = async () => {
    await Promise.all([runtime.database.ping(), runtime.bus.ping()]);
  };
  const files = filesOptionsFromEnv(env);
  const api = createApi({ ...runtime, ...services, logger, corsOrigins: env.CORS_ORIGINS, checkReady, files });
  const edge = createWsEdge({
    ...runtime,
    ...services,
    logger,
    corsOrigins: env.CORS_ORIGINS,
    maxConnections: env.WS_MAX_CONNECTIONS,
    heartbeatIntervalMs: env.WS_HEARTBEAT_INTERVAL * 1_000,
    idleTimeoutMs: env.WS_CONNECTION_TIMEOUT * 1_000,
    maxPayload: env.WS_MESSAGE_SIZE_LIMIT,
  });
  const worker = createStreamWorker({
    ...runtime,
    agents: services.agents,
    logger,
    consumer: newInstanceId("stream-worker"),
    concurrency: env.STREAM_WORKER_CONCURRENCY,
    claimIdleMs: env.STREAM_CLAIM_IDLE_MS,
    backends: { demo: createDemoAgent({ chunkSize: env.STREAM_CHUNK_SIZE, delayMs: env.STREAM_DELAY_MS }) },
  });
  const server = createServer(api.app);
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
