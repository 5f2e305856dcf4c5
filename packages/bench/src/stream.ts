/**
 * `pnpm bench:stream`: C concurrent agent replies from a local OpenAI-compatible upstream
 * (tokens at a fixed rate, each carrying its emit time) through the worker (own process),
 * Redis, and a ws-edge to C WebSocket clients. Reports the latency the pipeline adds per
 * token (upstream emit → client receive), the time-to-first-token overhead, chunks/s and the
 * worker's CPU per chunk. Real PostgreSQL and Redis (DATABASE_URL/REDIS_URL, else the local
 * defaults): the worker is another process. Env: STREAMS (200), TOKENS (40), TOKEN_INTERVAL_MS (50),
 * BENCH_CPU_PROF (a directory for the worker's CPU profile).
 */
import { fork } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { createStaticAgentRegistry } from "@chat/core";
import type { ServerFrame } from "@chat/protocol";

process.env.DATABASE_URL ||= process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
process.env.REDIS_URL ||= process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const STREAMS = Number(process.env.STREAMS ?? 200);
const TOKENS = Number(process.env.TOKENS ?? 40);
const INTERVAL = Number(process.env.TOKEN_INTERVAL_MS ?? 50);

const { openSocket, startFakeOpenAi, startStack } = await import("@chat/tests");
const now = () => performance.timeOrigin + performance.now();

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
const ms = (v: number) => `${v.toFixed(2)} ms`;

const upstream = await startFakeOpenAi({ intervalMs: INTERVAL, clockTokens: TOKENS });
const stack = await startStack({
  worker: false,
  agents: createStaticAgentRegistry([
    { id: 2, name: "bench upstream", logo_url: null, framework: "openai", backend: "openai" },
  ]),
  edgeOptions: { maxConnections: STREAMS + 100 },
});
const child = fork(fileURLToPath(new URL("./stream-worker-child.ts", import.meta.url)), {
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of the worker there.
  execArgv: [
    "--import",
    "tsx",
    ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
  ],
  env: {
    ...process.env,
    CHILD_DATABASE_URL: stack.database.url,
    CHILD_NAMESPACE: stack.namespace,
    BENCH_UPSTREAM_URL: upstream.url,
    BENCH_CONCURRENCY: String(STREAMS + 16),
  },
});
await new Promise<void>((resolve) => child.once("message", () => resolve()));
const cpu = () =>
  new Promise<NodeJS.CpuUsage>((resolve) => {
    child.once("message", (m: { cpu: NodeJS.CpuUsage }) => resolve(m.cpu));
    child.send("cpu");
  });

interface Client {
  socket: ReturnType<typeof openSocket>;
  sentAt: number;
  added: number[];
  ttftOverhead?: number;
  echoAt?: number;
  startAt?: number;
  chunks: number;
  done: Promise<void>;
}

async function openClients(count: number): Promise<Client[]> {
  const token = await stack.token("bench");
  const clients: Client[] = [];
  for (let i = 0; i < count; i++) {
    const created = await stack.request("bench", "POST", "/api/chat/sessions", { agent_id: 2 });
    const socket = openSocket(stack.wsUrl(created.body.session_id, token));
    await socket.next("ready", undefined, 20_000);
    const client: Client = { socket, sentAt: 0, added: [], chunks: 0, done: Promise.resolve() };
    client.done = new Promise<void>((resolve) => {
      socket.ws.on("message", (data: Buffer) => {
        const receivedAt = now();
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.type === "message" && client.echoAt === undefined) client.echoAt = receivedAt - client.sentAt;
        if (frame.type === "stream_start") client.startAt = receivedAt - client.sentAt;
        if (frame.type === "stream_chunk") {
          client.chunks += 1;
          for (const [, arrival, emit] of frame.content.matchAll(/<([\d.]+),([\d.]+)>/g)) {
            const emittedAt = Number(emit);
            if (client.ttftOverhead === undefined) {
              client.ttftOverhead = receivedAt - client.sentAt - (emittedAt - Number(arrival));
            }
            client.added.push(receivedAt - emittedAt);
          }
        } else if (frame.type === "stream_end") resolve();
      });
    });
    clients.push(client);
  }
  return clients;
}

async function run(clients: Client[]) {
  for (const client of clients) {
    client.sentAt = now();
    client.socket.send({ type: "message", content: "go" });
  }
  await Promise.all(clients.map((c) => c.done));
}

// Warm-up (JIT, connection pools), not measured.
await run(await openClients(Math.min(10, STREAMS)));

const clients = await openClients(STREAMS);
const cpuBefore = await cpu();
const started = now();
await run(clients);
const elapsed = now() - started;
const cpuAfter = await cpu();

const added = clients.flatMap((c) => c.added);
const ttft = clients.map((c) => c.ttftOverhead ?? Number.NaN).filter(Number.isFinite);
const chunks = clients.reduce((sum, c) => sum + c.chunks, 0);
const workerCpuUs = cpuAfter.user - cpuBefore.user + (cpuAfter.system - cpuBefore.system);

console.log(`stream bench: ${STREAMS} concurrent streams × ${TOKENS} tokens every ${INTERVAL} ms`);
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, PostgreSQL + Redis`,
);
console.log(`tokens received: ${added.length} in ${chunks} chunks over ${(elapsed / 1_000).toFixed(2)} s`);
console.log(
  `added latency per token (upstream emit → client receive): p50 ${ms(percentile(added, 50))}, p99 ${ms(percentile(added, 99))}, max ${ms(Math.max(...added))}`,
);
console.log(
  `TTFT overhead (client TTFT − upstream TTFT): p50 ${ms(percentile(ttft, 50))}, p99 ${ms(percentile(ttft, 99))}`,
);
console.log(
  `stored-message echo p50 ${ms(
    percentile(
      clients.map((c) => c.echoAt ?? Number.NaN),
      50,
    ),
  )}, stream_start p50 ${ms(
    percentile(
      clients.map((c) => c.startAt ?? Number.NaN),
      50,
    ),
  )}`,
);
console.log(`chunks/s delivered: ${((chunks / elapsed) * 1_000).toFixed(0)}`);
console.log(
  `worker CPU per chunk: ${(workerCpuUs / chunks).toFixed(1)} µs (${(workerCpuUs / 1_000).toFixed(0)} ms total)`,
);

child.send("stop");
await new Promise((resolve) => child.once("exit", resolve));
for (const client of clients) await client.socket.close();
await stack.close();
await upstream.close();
process.exit(0);
