/**
 * `pnpm bench:connections`: N idle WebSockets to one `apps/ws-edge` process (real PostgreSQL,
 * a private redis-server), reporting the edge's RSS per connection and the connect time.
 *
 * Every process here is limited by `ulimit -n` (20,000 on the machine this was written on, and
 * it cannot be raised without CAP_SYS_RESOURCE), so the default N is 19,500: the edge needs a
 * few descriptors of its own (PostgreSQL pool, Redis). The clients run in 2 child processes.
 * The edge's memory is read at several idle times after the last connect (BENCH_IDLE), then
 * once more after a full garbage collection asked for through its inspector (`--inspect` on a
 * loopback port, started for the baseline reading too): right after the connect storm the
 * readings move by a third with where V8's collector happens to be, the last one does not.
 *
 * Env: BENCH_CONNECTIONS (19500), BENCH_SESSIONS (200), BENCH_IDLE (seconds after the last
 * connect: "3,45"), BENCH_NODE_ARGS (more node flags for the edge), DATABASE_URL.
 */
import { fork } from "node:child_process";
import { resolve } from "node:path";
import { migrateDatabase, openDatabase } from "@chat/db";
import WebSocket from "ws";
import { builtApp, createDatabase, ROOT, sleep, spawnTs, startRedis, waitForPort, words } from "./lib/infra";
import { machineReport, rssBytes } from "./lib/proc";

const env = process.env;
const N = Number(env.BENCH_CONNECTIONS ?? 19_500);
const SESSIONS = Number(env.BENCH_SESSIONS ?? 200);
const SERVER_URL = env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = "bench-secret";
const PORT = 19_500;
const CLIENT_PROCESSES = 2;
const INSPECT_PORT = PORT + 8;
/** When (seconds after the last connect) the edge's memory is read, before the full GC. */
const IDLE_SECONDS = (env.BENCH_IDLE ?? "3,45").split(",").map(Number);

async function main() {
  console.log(`bench:connections on ${await machineReport()}`);
  const redis = await startRedis(PORT + 9);
  const db = await createDatabase(SERVER_URL);
  const setup = await openDatabase({ url: db.url, maxConnections: 2 });
  await migrateDatabase(setup);
  await setup.close();
  const edge = spawnTs(
    builtApp("ws-edge"),
    {
      SERVICE_PORT: String(PORT),
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      JWT_SECRET_KEY: SECRET,
      WS_MAX_CONNECTIONS: String(N + 100),
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
    },
    [`--inspect=127.0.0.1:${INSPECT_PORT}`, ...words(env.BENCH_NODE_ARGS)],
  );
  const children: ReturnType<typeof fork>[] = [];
  try {
    await waitForPort(PORT);
    await sleep(1_000);
    await collectGarbage(INSPECT_PORT);
    const pid = edge.pid ?? 0;
    const before = rssBytes(pid);
    const heapBefore = await heapOf(PORT);
    const started = performance.now();
    const per = Math.ceil(N / CLIENT_PROCESSES);
    const reports = await Promise.all(
      Array.from({ length: CLIENT_PROCESSES }, (_, c) => {
        const child = fork(resolve(ROOT, "packages/bench/src/connections-client.ts"), [], {
          execArgv: ["--import", "tsx"],
          env: {
            ...process.env,
            EDGE_URL: `ws://127.0.0.1:${PORT}`,
            FIRST: String(c * per),
            COUNT: String(Math.min(per, N - c * per)),
            SESSIONS: String(SESSIONS),
            SECRET,
          },
        });
        children.push(child);
        return new Promise<{ open: number; failed: number; seconds: number }>((done) =>
          child.once("message", done as never),
        );
      }),
    );
    const connectSeconds = (performance.now() - started) / 1_000;
    const open = reports.reduce((n, r) => n + r.open, 0);
    const failed = reports.reduce((n, r) => n + r.failed, 0);
    console.log(
      `${open} idle connections open (${failed} failed) to one edge in ${connectSeconds.toFixed(1)} s (${(open / connectSeconds).toFixed(0)} connects/s, ${((connectSeconds * 1_000) / Math.max(1, open)).toFixed(2)} ms each amortized)`,
    );
    const perConnection = (bytes: number) => `${(bytes / Math.max(1, open) / 1_024).toFixed(1)} KB`;
    const reading = async (label: string) => {
      const after = rssBytes(pid);
      const heap = await heapOf(PORT);
      console.log(
        `${label.padEnd(17)} edge RSS ${(before / 2 ** 20).toFixed(0)} → ${(after / 2 ** 20).toFixed(0)} MB, ` +
          `${perConnection(after - before)} per idle connection (goal < 15 KB); of which JS heap used ` +
          `${perConnection(heap.used - heapBefore.used)} (held ${perConnection(heap.total - heapBefore.total)}), ` +
          `external ${perConnection(heap.external - heapBefore.external)}`,
      );
    };
    let idle = 0;
    for (const at of IDLE_SECONDS) {
      await sleep((at - idle) * 1_000);
      idle = at;
      await reading(`idle ${at} s:`);
    }
    await collectGarbage(INSPECT_PORT);
    await sleep(1_000);
    await reading("after a full GC:");
  } finally {
    for (const child of children) child.send("stop");
    await sleep(500);
    edge.kill("SIGTERM");
    await sleep(500);
    redis.stop();
    await db.drop().catch(() => {});
  }
  process.exit(0);
}

/** A full garbage collection in the edge, through the inspector protocol (HeapProfiler). */
async function collectGarbage(inspectPort: number): Promise<void> {
  const [target] = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  if (!target) throw new Error("the edge's inspector lists no target");
  const inspector = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => inspector.once("open", resolve).once("error", reject));
  await new Promise<void>((resolve, reject) => {
    inspector.on("message", (data) => {
      const reply = JSON.parse(String(data)) as { id?: number; error?: { message: string } };
      if (reply.id !== 1) return;
      if (reply.error) reject(new Error(reply.error.message));
      else resolve();
    });
    inspector.send(JSON.stringify({ id: 1, method: "HeapProfiler.collectGarbage" }));
  });
  inspector.close();
}

/** The edge's own heap figures, from its /metrics (prom-client's default metrics). */
async function heapOf(port: number): Promise<{ used: number; total: number; external: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    used: value("nodejs_heap_size_used_bytes"),
    total: value("nodejs_heap_size_total_bytes"),
    external: value("nodejs_external_memory_bytes"),
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
