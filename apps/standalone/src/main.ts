import { createLogger, DEV_JWT_SECRET, exitOnSignals, exitOnStartupError, newInstanceId } from "@chat/core";
import { loadStandaloneEnv } from "./env";
import { startStandalone } from "./server";

async function main() {
  const env = loadStandaloneEnv(process.env);
  if (env.NODE_ENV === "production" && env.JWT_SECRET_KEY === DEV_JWT_SECRET) {
    throw new Error("JWT_SECRET_KEY: the development default must not be used in production");
  }
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
