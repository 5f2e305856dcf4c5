import { createServer } from "node:http";
import {
  createLogger,
  createMetrics,
  createOpsHandler,
  createServices,
  exitOnSignals,
  exitOnStartupError,
  newInstanceId,
  openRuntime,
  runtimeOptionsFromEnv,
} from "@chat/core";
import { createBackends } from "./agents";
import { loadStreamWorkerEnv, secretLookup, workerOptionsFromEnv } from "./env";
import { createStreamWorker } from "./worker";

/** The stream-worker container: takes agent jobs; /healthz, /readyz and /metrics on SERVICE_PORT. */
async function main() {
  const env = loadStreamWorkerEnv(process.env);
  const instanceId = newInstanceId("stream-worker");
  const logger = createLogger({ name: "stream-worker", level: env.LOG_LEVEL, instanceId });
  const metrics = createMetrics({ app: "stream-worker" });
  const runtime = await openRuntime({
    metrics,
    ...runtimeOptionsFromEnv(env),
    migrate: false,
  });
  const { agents } = createServices(runtime, env);
  metrics.watchJobQueue(runtime.bus.jobs);
  const worker = createStreamWorker({
    ...runtime,
    agents,
    logger,
    metrics,
    consumer: instanceId,
    ...workerOptionsFromEnv(env),
    backends: createBackends({
      chunkSize: env.STREAM_CHUNK_SIZE,
      delayMs: env.STREAM_DELAY_MS,
      secret: secretLookup(process.env),
    }),
  });
  worker.start();
  const server = createServer(
    createOpsHandler({
      draining: () => worker.draining,
      checkReady: runtime.ping,
      metrics,
    }),
  );
  server.listen(env.SERVICE_PORT, () => logger.info({ port: env.SERVICE_PORT }, "stream-worker health on port"));
  exitOnSignals(logger, async () => {
    await worker.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.close();
  });
}

main().catch(exitOnStartupError);
