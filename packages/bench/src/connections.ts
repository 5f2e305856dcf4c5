/**
 * `pnpm bench:connections`: N idle WebSockets to one `apps/ws-edge` process (real PostgreSQL,
 * a private redis-server), reporting the edge's RSS per connection and the connect time.
 *
 * Every process here is limited by `ulimit -n` (20,000 on the machine this was written on, and
 * it cannot be raised without CAP_SYS_RESOURCE), so the default N is 19,500: the edge needs a
 * few descriptors of its own (PostgreSQL pool, Redis). The clients run in 2 child processes.
 * Env: BENCH_CONNECTIONS (19500), BENCH_SESSIONS (200), DATABASE_URL.
 */
import { fork } from "node:child_process";
import { resolve } from "node:path";
import { migrateDatabase, openDatabase } from "@chat/db";
import { builtApp, createDatabase, ROOT, sleep, spawnTs, startRedis, waitForPort } from "./lib/infra";
import { machine, rssBytes } from "./lib/proc";

const env = process.env;
const N = Number(env.BENCH_CONNECTIONS ?? 19_500);
const SESSIONS = Number(env.BENCH_SESSIONS ?? 200);
const SERVER_URL = env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = "bench-secret";
const PORT = 19_500;
const CLIENT_PROCESSES = 2;

async function main() {
  console.log(`bench:connections on ${machine()}`);
  const redis = await startRedis(PORT + 9);
  const db = await createDatabase(SERVER_URL);
  const setup = await openDatabase({ url: db.url, maxConnections: 2 });
  await migrateDatabase(setup);
  await setup.close();
  const edge = spawnTs(builtApp("ws-edge"), {
    SERVICE_PORT: String(PORT),
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    JWT_SECRET_KEY: SECRET,
    WS_MAX_CONNECTIONS: String(N + 100),
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
  });
  const children: ReturnType<typeof fork>[] = [];
  try {
    await waitForPort(PORT);
    await sleep(1_000);
    const pid = edge.pid ?? 0;
    const before = rssBytes(pid);
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
    await sleep(3_000); // idle: let allocation settle
    const after = rssBytes(pid);
    console.log(
      `${open} idle connections open (${failed} failed) to one edge in ${connectSeconds.toFixed(1)} s (${(open / connectSeconds).toFixed(0)} connects/s, ${((connectSeconds * 1_000) / Math.max(1, open)).toFixed(2)} ms each amortized)`,
    );
    console.log(
      `edge RSS ${(before / 2 ** 20).toFixed(0)} MB before, ${(after / 2 ** 20).toFixed(0)} MB after: ${((after - before) / Math.max(1, open) / 1_024).toFixed(1)} KB per idle connection (goal < 15 KB)`,
    );
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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
