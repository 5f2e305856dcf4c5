import {
  createLogger,
  exitOnSignals,
  exitOnStartupError,
  newInstanceId,
  refuseDevSecretInProduction,
} from "@chat/core";
import { loadStandaloneEnv } from "./env";
import { startStandalone } from "./server";

async function main() {
  const env = loadStandaloneEnv(process.env);
  refuseDevSecretInProduction(env);
  const logger = createLogger({ name: "chat-service", level: env.LOG_LEVEL, instanceId: newInstanceId("standalone") });
  const app = await startStandalone(env, logger, process.env);
  logger.info(
    {
      port: app.port,
      database: env.DATABASE_URL ? "postgres" : `pglite (${env.DATA_DIR})`,
      bus: env.REDIS_URL ? "redis" : "in-process",
    },
    `chat service listening on http://localhost:${app.port} (ws://localhost:${app.port}/ws/{session_id}?token=JWT)`,
  );
  exitOnSignals(logger, () => app.close());
}

main().catch(exitOnStartupError);
