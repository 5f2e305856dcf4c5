/**
 * The stream worker of `pnpm bench:stream`, in its own process so that its CPU per chunk is
 * measured apart from the edge, the api, the upstream and the clients. Answers "cpu" messages
 * over IPC (see lib/child-report.ts). BENCH_TRACE=1: times every repository and bus call and
 * prints the counts per job when stopped.
 */
import { createTestBus } from "@chat/bus/testing";
import { createStaticAgentRegistry, silentLogger } from "@chat/core";
import { createRepository, openDatabase } from "@chat/db";
import { createBackends, createStreamWorker } from "@chat/stream-worker";
import { callStatsLines, traced } from "./lib/call-stats";
import { answerCpuReports } from "./lib/child-report";

const env = process.env;
answerCpuReports();
const trace = Boolean(env.BENCH_TRACE);
const database = await openDatabase({
  url: env.CHILD_DATABASE_URL,
  maxConnections: Number(env.DATABASE_POOL_SIZE ?? 20),
});
const rawBus = createTestBus({ namespace: env.CHILD_NAMESPACE });
const bus = trace
  ? Object.assign(Object.create(rawBus) as typeof rawBus, {
      pubsub: traced("bus.pubsub", rawBus.pubsub),
      kv: traced("bus.kv", rawBus.kv),
      buffers: traced("bus.buffers", rawBus.buffers),
      jobs: traced("bus.jobs", rawBus.jobs),
    })
  : rawBus;
const repo = createRepository(database);
const worker = createStreamWorker({
  repo: trace ? traced("repo", repo) : repo,
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
  if (typeof message === "object" && message !== null && "stop" in message) {
    if (trace) for (const line of callStatsLines((message as { stop: number }).stop, "job")) console.log(line);
    void worker
      .close()
      .then(() => rawBus.close())
      .then(() => database.close())
      .then(() => process.exit(0));
  }
});
process.send?.("ready");
