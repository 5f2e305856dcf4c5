import { createServer } from "node:http";
import {
  createLogger,
  createServices,
  exitOnSignals,
  exitOnStartupError,
  newInstanceId,
  openRuntime,
} from "@chat/core";
import { createDemoAgent } from "./agents/demo";
import { loadStreamWorkerEnv } from "./env";
import { createStreamWorker } from "./worker";

/** The stream-worker container: takes agent jobs; /healthz and /readyz on SERVICE_PORT. */
async function main() {
  const env = loadStreamWorkerEnv(process.env);
  const instanceId = newInstanceId("stream-worker");
  const logger = createLogger({ name: "stream-worker", level: env.LOG_LEVEL, instanceId });
  const runtime = await openRuntime({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    maxConnections: env.DATABASE_POOL_SIZE,
    migrate: false,
  });
  const { agents } = createServices(runtime, env);
  const worker = createStreamWorker({
    ...runtime,
    agents,
    logger,
    consumer: instanceId,
    concurrency: env.STREAM_WORKER_CONCURRENCY,
    claimIdleMs: env.STREAM_CLAIM_IDLE_MS,
    backends: { demo: createDemoAgent({ chunkSize: env.STREAM_CHUNK_SIZE, delayMs: env.STREAM_DELAY_MS }) },
  });
  worker.start();
  const server = createServer((req, res) => {
    if (req.url === "/healthz") return void res.writeHead(200).end('{"status":"ok"}');
    if (req.url === "/readyz") {
      const ready = !worker.draining;
      return void res.writeHead(ready ? 200 : 503).end(JSON.stringify({ status: ready ? "ready" : "draining" }));
    }
    res.writeHead(404).end();
  });
  server.listen(env.SERVICE_PORT, () => logger.info({ port: env.SERVICE_PORT }, "stream-worker health on port"));
  exitOnSignals(logger, async () => {
    await worker.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.close();
  });
}

main().catch(exitOnStartupError);
