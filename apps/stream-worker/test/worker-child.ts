/**
 * A stream worker in its own process, for the crash-recovery test: what main.ts does, but on
 * the test's database and bus namespace (test entry points may read process.env).
 */
import { createTestBus } from "@chat/bus/testing";
import { createStaticAgentRegistry, silentLogger } from "@chat/core";
import { createRepository, openDatabase } from "@chat/db";
import { createBackends, createStreamWorker } from "../src";

const env = process.env;
const database = await openDatabase({ url: env.CHILD_DATABASE_URL, maxConnections: 4 });
const bus = createTestBus({ namespace: env.CHILD_NAMESPACE });
const worker = createStreamWorker({
  repo: createRepository(database),
  bus,
  agents: createStaticAgentRegistry(),
  logger: silentLogger(),
  consumer: env.CHILD_CONSUMER ?? "child",
  claimIdleMs: Number(env.STREAM_CLAIM_IDLE_MS ?? 1_000),
  blockMs: 100,
  backends: createBackends({ chunkSize: 1, delayMs: Number(env.STREAM_DELAY_MS ?? 10) }),
});
worker.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void worker
    .close()
    .then(() => bus.close())
    .then(() => database.close())
    .then(() => process.exit(0));
});
