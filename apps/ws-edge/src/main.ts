import { createServer } from "node:http";
import {
  createLogger,
  createServices,
  exitOnSignals,
  exitOnStartupError,
  newInstanceId,
  openRuntime,
} from "@chat/core";
import { createWsEdge } from "./edge";
import { loadWsEdgeEnv } from "./env";

/** The ws-edge container: WebSockets on SERVICE_PORT, plus /healthz and /readyz. */
async function main() {
  const env = loadWsEdgeEnv(process.env);
  const logger = createLogger({ name: "ws-edge", level: env.LOG_LEVEL, instanceId: newInstanceId("ws-edge") });
  const runtime = await openRuntime({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    maxConnections: env.DATABASE_POOL_SIZE,
    migrate: false,
  });
  const { chat, verifyToken } = createServices(runtime, env);
  const edge = createWsEdge({
    ...runtime,
    chat,
    verifyToken,
    logger,
    corsOrigins: env.CORS_ORIGINS,
    maxConnections: env.WS_MAX_CONNECTIONS,
    heartbeatIntervalMs: env.WS_HEARTBEAT_INTERVAL * 1_000,
    idleTimeoutMs: env.WS_CONNECTION_TIMEOUT * 1_000,
    maxPayload: env.WS_MESSAGE_SIZE_LIMIT,
  });
  const server = createServer((req, res) => {
    if (req.url === "/healthz") return void res.writeHead(200).end('{"status":"ok"}');
    if (req.url === "/readyz") {
      const ready = !edge.draining;
      return void res.writeHead(ready ? 200 : 503).end(JSON.stringify({ status: ready ? "ready" : "draining" }));
    }
    res.writeHead(404).end();
  });
  server.on("upgrade", (req, socket, head) => {
    if (!edge.handleUpgrade(req, socket, head)) socket.destroy();
  });
  server.listen(env.SERVICE_PORT, () => logger.info({ port: env.SERVICE_PORT }, "ws-edge listening"));
  exitOnSignals(logger, async () => {
    await edge.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.close();
  });
}

main().catch(exitOnStartupError);
