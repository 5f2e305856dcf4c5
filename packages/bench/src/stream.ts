/**
 * `pnpm bench:stream`: C concurrent agent replies from a local OpenAI-compatible upstream
 * (tokens at a fixed rate, each carrying its emit time) through the worker and a ws-edge (each
 * its own process), Redis and PostgreSQL, to C WebSocket clients (in a process of their own, so
 * that the upstream's event loop never delays a receive time). Reports the latency the
 * pipeline adds per token (upstream emit → client receive), the time-to-first-token overhead,
 * chunks/s and the worker's and the edge's CPU per chunk.
 *
 * Load shape: each client sends ROUNDS messages one after another (the next when the reply
 * ended); the first messages are spread over STAGGER_MS (default: one reply's length), so that
 * from the end of round 1 to the start of the last round all STREAMS replies run at once, in
 * steady state, as independent conversations (not phase-locked to the same millisecond). Only
 * the rounds in between are measured. STAGGER_MS=0 ROUNDS=1 is a burst instead: every message
 * sent in the same millisecond, which measures queueing behind 200 simultaneous job starts.
 *
 * Real PostgreSQL and Redis (DATABASE_URL/REDIS_URL, else the local defaults). Env: STREAMS
 * (200), TOKENS (40), TOKEN_INTERVAL_MS (50), ROUNDS (4), STAGGER_MS, BENCH_CPU_PROF (a
 * directory for the worker's and the edge's CPU profiles), BENCH_TRACE (the worker's repository
 * and bus calls per job, with their p50/p99/max time), DATABASE_POOL_SIZE (the worker's and the
 * edge's pools, 20).
 *
 * Besides the latencies it prints each process's event-loop delay and, per process (group), the
 * share of one CPU it ran and the share it spent waiting for a CPU: on a machine whose two cores
 * are busy with six processes, that wait is most of the latency.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createStaticAgentRegistry } from "@chat/core";
import type { ChildReport } from "./lib/child-report";
import { machineReport, pidsByCommand, schedWindow } from "./lib/proc";
import { now, type Turn } from "./lib/stream-client";
import { percentile } from "./report";

process.env.DATABASE_URL ||= process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
process.env.REDIS_URL ||= process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const STREAMS = Number(process.env.STREAMS ?? 200);
const TOKENS = Number(process.env.TOKENS ?? 40);
const INTERVAL = Number(process.env.TOKEN_INTERVAL_MS ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const STAGGER = Number(process.env.STAGGER_MS ?? TOKENS * INTERVAL);

const { startFakeOpenAi, startStack } = await import("@chat/tests");
const ms = (v: number) => `${v.toFixed(2)} ms`;

const upstream = await startFakeOpenAi({ intervalMs: INTERVAL, clockTokens: TOKENS });
const stack = await startStack({
  worker: false,
  edges: 0,
  agents: createStaticAgentRegistry([
    { id: 2, name: "bench upstream", logo_url: null, framework: "openai", backend: "openai" },
  ]),
});

/**
 * A child process of the bench, measured apart: answers "cpu" with its process.cpuUsage() and
 * its event loop's delay since the previous "cpu" (see lib/child-report.ts).
 */
async function child(
  file: string,
  env: Record<string, string>,
): Promise<{ process: ChildProcess; first: { port?: number } }> {
  const proc = fork(fileURLToPath(new URL(file, import.meta.url)), {
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
    env: { ...process.env, CHILD_DATABASE_URL: stack.database.url, CHILD_NAMESPACE: stack.namespace, ...env },
  });
  const first = await new Promise<{ port?: number }>((resolve) =>
    proc.once("message", (m) => resolve(typeof m === "object" && m !== null ? m : {})),
  );
  return { process: proc, first };
}
const cpu = (proc: ChildProcess) =>
  new Promise<ChildReport>((resolve) => {
    proc.once("message", (m: ChildReport) => resolve(m));
    proc.send("cpu");
  });

const worker = await child("./stream-worker-child.ts", {
  BENCH_UPSTREAM_URL: upstream.url,
  BENCH_CONCURRENCY: String(STREAMS + 16),
});
const edge = await child("./stream-edge-child.ts", { BENCH_MAX_CONNECTIONS: String(STREAMS + 100) });
const edgeUrl = `ws://127.0.0.1:${edge.first.port}`;

// The clients run in a process of their own (see stream-clients-child.ts).
const clientsProcess = await child("./stream-clients-child.ts", {});
const ask = <T>(command: unknown, key: string) =>
  new Promise<T>((resolve) => {
    const onMessage = (message: Record<string, unknown>) => {
      if (!(key in message)) return;
      clientsProcess.process.off("message", onMessage);
      resolve(message[key] as T);
    };
    clientsProcess.process.on("message", onMessage);
    clientsProcess.process.send(command as never);
  });

/** Opens `count` clients, each in a new session with the upstream agent, in the clients' process. */
async function openClients(count: number): Promise<void> {
  const token = await stack.token("bench");
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await stack.request("bench", "POST", "/api/chat/sessions", { agent_id: 2 });
    urls.push(`${edgeUrl}/ws/${created.body.session_id}?token=${token}`);
  }
  await ask({ open: urls }, "opened");
}

/** Every client's turns, round by round; client i starts at i × stagger / count. */
const run = (rounds: number, staggerMs: number) => ask<Turn[][]>({ run: { rounds, staggerMs } }, "turns");
const closeClients = () => ask({ close: true }, "closed");

// Warm-up (JIT, connection pools), not measured.
const WARM_STREAMS = Math.min(10, STREAMS);
await openClients(WARM_STREAMS);
await run(1, 0);
await closeClients();

await openClients(STREAMS);
const sched = schedWindow({
  worker: () => [worker.process.pid ?? 0],
  edge: () => [edge.process.pid ?? 0],
  "bench (upstream, api)": () => [process.pid],
  clients: () => [clientsProcess.process.pid ?? 0],
  PostgreSQL: () => pidsByCommand("postgres"),
  Redis: () => pidsByCommand("redis-server"),
});
const [workerBefore, edgeBefore] = [await cpu(worker.process), await cpu(edge.process)];
sched.start();
const started = now();
const turnsByClient = await run(ROUNDS, STAGGER);
const elapsed = now() - started;
const schedLine = sched.stop();
const [workerAfter, edgeAfter] = [await cpu(worker.process), await cpu(edge.process)];

// Steady state: the rounds during which every stream runs (all of them when there are < 3).
const measured = turnsByClient.flatMap((turns) => (ROUNDS >= 3 ? turns.slice(1, -1) : turns));
const all = turnsByClient.flat();
const added = measured.flatMap((t) => t.added);
const ttft = measured.map((t) => t.ttftOverhead ?? Number.NaN).filter(Number.isFinite);
const pick = (key: "echo" | "start", p: number) =>
  ms(percentile(measured.map((t) => t[key] ?? Number.NaN).filter(Number.isFinite), p));
const chunks = all.reduce((sum, t) => sum + t.chunks, 0);
const perChunk = (before: ChildReport, after: ChildReport) =>
  `${((after.cpuMicros - before.cpuMicros) / chunks).toFixed(1)} µs`;
const loopDelay = ({ loopDelay: d }: ChildReport) => `p99 ${ms(d.p99)}, max ${ms(d.max)}`;

console.log(
  `stream bench: ${STREAMS} concurrent streams × ${TOKENS} tokens every ${INTERVAL} ms, ${ROUNDS} rounds, first messages spread over ${STAGGER} ms`,
);
console.log(`machine: ${await machineReport()}; PostgreSQL + Redis`);
console.log(
  `measured: ${measured.length} replies (${ROUNDS >= 3 ? `rounds 2..${ROUNDS - 1}` : "all rounds"}), ${added.length} tokens; all: ${all.length} replies, ${chunks} chunks in ${(elapsed / 1_000).toFixed(2)} s`,
);
console.log(
  `added latency per token (upstream emit → client receive): p50 ${ms(percentile(added, 50))}, p99 ${ms(percentile(added, 99))}, max ${ms(Math.max(...added))}`,
);
console.log(
  `TTFT overhead (client TTFT − upstream TTFT): p50 ${ms(percentile(ttft, 50))}, p99 ${ms(percentile(ttft, 99))}, max ${ms(Math.max(...ttft))}`,
);
console.log(
  `stored-message echo p50 ${pick("echo", 50)} p99 ${pick("echo", 99)}; stream_start p50 ${pick("start", 50)} p99 ${pick("start", 99)}`,
);
console.log(`chunks/s delivered: ${((chunks / elapsed) * 1_000).toFixed(0)}`);
console.log(
  `CPU per chunk (whole run, job starts and ends included): worker ${perChunk(workerBefore, workerAfter)}, edge ${perChunk(edgeBefore, edgeAfter)}`,
);
console.log(`event-loop delay: worker ${loopDelay(workerAfter)}; edge ${loopDelay(edgeAfter)}`);
console.log(`share of one CPU while measured: ${schedLine}`);

await closeClients();
clientsProcess.process.kill();
// The warm-up's jobs count too (their calls are traced as well).
const jobs = all.length + WARM_STREAMS;
for (const proc of [worker.process, edge.process]) {
  proc.send({ stop: jobs });
  await new Promise((resolve) => proc.once("exit", resolve));
}
await stack.close();
await upstream.close();
process.exit(0);
