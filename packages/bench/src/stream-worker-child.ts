/**
 * The stream worker of `pnpm bench:stream`, in its own process so that its CPU per chunk is
 * measured apart from the edge, the api, the upstream and the clients. Answers "cpu" messages
 * over IPC with its process.cpuUsage().
 */
import { createTestBus } from "@chat/bus/testing";
import { createStaticAgentRegistry, silentLogger } from "@chat/core";
import { createRepository, openDatabase } from "@chat/db";
import { createBackends, createStreamWorker } from "@chat/stream-worker";

const env = process.env;
const database = await openDatabase({ url: env.CHILD_DATABASE_URL, maxConnections: 20 });
const bus = createTestBus({ namespace: env.CHILD_NAMESPACE });
const worker = createStreamWorker({
  repo: createRepository(database),
  bus,
  agents: createStaticAgentRegistry([
    {
      id: 2,
      name: "bench upstream",
      logo_url: null,
      framework: "openai",
      backend: "openai",
      openai: { base_url: env.BENCH_UPSTREAM_URL as string, model: "clock" },
    },
  ]),
  logger: silentLogger(),
  consumer: "bench-worker",
  concurrency: Number(env.BENCH_CONCURRENCY ?? 256),
  blockMs: 200,
  backends: createBackends(),
});
worker.start();
process.on("message", (message) => {
  if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
  if (message === "stop") {
    void worker
      .close()
      .then(() => bus.close())
      .then(() => database.close())
      .then(() => process.exit(0));
  }
});
process.send?.("ready");
