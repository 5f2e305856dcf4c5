import { createServer } from "node:http";
import {
  createLogger,
  createMetrics,
  createServices,
  exitOnSignals,
  exitOnStartupError,
  newInstanceId,
  openRuntime,
  refuseDevSecretInProduction,
  runtimeOptionsFromEnv,
} from "@chat/core";
import { createWsEdge } from "./edge";
import { loadWsEdgeEnv } from "./env";
import { createHealthHandler } from "./health";

/** The ws-edge container: WebSockets on SERVICE_PORT, plus /healthz and /readyz. */
async function main() {
  const env = loadWsEdgeEnv(process.env);
  refuseDevSecretInProduction(env);
  const logger = createLogger({ name: "ws-edge", level: env.LOG_LEVEL, instanceId: newInstanceId("ws-edge") });
  const metrics = createMetrics({ app: "ws-edge" });
  const runtime = await openRuntime({
    metrics,
    ...runtimeOptionsFromEnv(env),
    migrate: false,
    batchAppends: true,
    batchWindowMs: env.MESSAGE_BATCH_WINDOW_MS,
  });
  const { chat, verifyToken } = createServices(runtime, env);
  const edge = createWsEdge({
    ...runtime,
    chat,
    verifyToken,
    logger,
    metrics,
    corsOrigins: env.CORS_ORIGINS,
    maxConnections: env.WS_MAX_CONNECTIONS,
    heartbeatIntervalMs: env.WS_HEARTBEAT_INTERVAL * 1_000,
    idleTimeoutMs: env.WS_CONNECTION_TIMEOUT * 1_000,
    maxPayload: env.WS_MESSAGE_SIZE_LIMIT,
    messagesPerMinute: env.RATE_LIMIT_ENABLED ? env.RATE_LIMIT_MESSAGES_PER_MINUTE : false,
  });
  const server = createServer(createHealthHandler(edge, { checkReady: runtime.ping, metrics }));
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
