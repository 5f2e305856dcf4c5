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
import { createApi } from "./app";
import { loadApiEnv } from "./env";
import { filesOptionsFromEnv } from "./files/from-env";

/** The api container: REST on SERVICE_PORT. */
async function main() {
  const env = loadApiEnv(process.env);
  refuseDevSecretInProduction(env);
  const logger = createLogger({ name: "api", level: env.LOG_LEVEL, instanceId: newInstanceId("api") });
  const metrics = createMetrics({ app: "api" });
  const runtime = await openRuntime({
    metrics,
    ...runtimeOptionsFromEnv(env),
    migrate: false,
  });
  const files = filesOptionsFromEnv(env);
  const api = createApi({
    metrics,
    files,
    ...runtime,
    ...createServices(runtime, env),
    logger,
    corsOrigins: env.CORS_ORIGINS,
    checkReady: runtime.ping,
    messagesPerMinute: env.RATE_LIMIT_ENABLED ? env.RATE_LIMIT_MESSAGES_PER_MINUTE : false,
  });
  const server = createServer(api.app);
  server.listen(env.SERVICE_PORT, () => logger.info({ port: env.SERVICE_PORT }, "api listening"));
  exitOnSignals(logger, async () => {
    await api.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.close();
    await files.storage.close?.();
  });
}

main().catch(exitOnStartupError);
