/**
 * `pnpm bench:fanout`: S sessions × K clients split over two server processes on one Redis and
 * one PostgreSQL, at fixed send rates. Three systems in the same run, by the same generator:
 *   chat       two `apps/ws-edge` processes, their production bundle on plain node (stores every
 *              message, seq-ordered, batched)
 *   socketio   Socket.IO 4 + @socket.io/redis-adapter, two processes, no storage (a .ts file
 *              under tsx: the same CPU once loaded, some 60 MB more RSS per process)
 *   socketio+pg  the same, INSERTing each message (with its per-session seq) before emitting
 * Reports delivered messages/s, latency p50/p99/max, lost messages, server CPU-µs per
 * delivered message (server processes + the private redis-server + the PostgreSQL backends of
 * the run's database) and RSS; then steps the rate up to find the highest passing rate
 * (p99 ≤ 100 ms, nothing lost; a failed step is measured once more). The fixed-rate runs of
 * the systems take turns, round by round (CPU per operation on a shared 2-core machine moves
 * with whatever else runs): the figures compared are medians, and the CPU ratio is the median
 * of the per-round ratios.
 *
 * Env: BENCH_SESSIONS (50), BENCH_CLIENTS (4 per session), BENCH_RATE (fixed rate, 250/s),
 * BENCH_SECONDS (5 per step), BENCH_ROUNDS (3 interleaved fixed-rate runs per system), BENCH_STEPS ("250,500,1000,2000,3000,4500,6000,8000"),
 * BENCH_WARMUP (60 s at the fixed rate, every system at once, not measured, before the first round:
 * at 250 msg/s V8 is still compiling the servers' hot paths after 30 s, and a server that runs
 * for days pays that once, not per message), BENCH_SPLIT (2),
 * BENCH_SYSTEMS ("chat,socketio,socketio+pg"), BENCH_PROFILE (a folder: CPU profiles of the edges),
 * BENCH_NODE_ARGS (more node flags for the edges, e.g. "--heap-prof --heap-prof-dir=/tmp/h"),
 * BENCH_VARIANT_ARGS / BENCH_VARIANT_ENV (node flags / "NAME=value ..." for a fourth system,
 * `chat+variant`: our edges with a setting to try, measured round by round against `chat`;
 * add it to BENCH_SYSTEMS, e.g. "chat,chat+variant"),
 * DATABASE_URL (postgres://postgres@127.0.0.1:5432/test).
 */
import type { ChildProcess } from "node:child_process";
import { signToken } from "@chat/core";
import { createRepository, migrateDatabase, openDatabase } from "@chat/db";
import {
  assertPortFree,
  backendPids,
  builtApp,
  createDatabase,
  sleep,
  spawnTs,
  startRedis,
  waitForPort,
  words,
} from "./lib/infra";
import {
  type ClientSpec,
  type LoadClient,
  LoadGenerator,
  openChatClient,
  openSocketIoClient,
  type RunResult,
} from "./lib/load";
import { machineReport, sumCpu, sumRss } from "./lib/proc";

const env = process.env;
const SESSIONS = Number(env.BENCH_SESSIONS ?? 50);
const CLIENTS = Number(env.BENCH_CLIENTS ?? 4);
const FIXED_RATE = Number(env.BENCH_RATE ?? 250);
const SECONDS = Number(env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const STEPS = (env.BENCH_STEPS ?? "250,500,1000,2000,3000,4500,6000,8000").split(",").map(Number);
const WARMUP_SECONDS = Number(env.BENCH_WARMUP ?? 60);
const SYSTEMS = (env.BENCH_SYSTEMS ?? "chat,socketio,socketio+pg").split(",");
const SERVER_URL = env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = "bench-secret";
/** 2: clients split over both processes (the point); 1: all on the first (to isolate cross-process costs). */
const SPLIT = Number(env.BENCH_SPLIT ?? 2);
const CONTENT = "benchmark message: the quick brown fox jumps over the lazy dog";

type System = "chat" | "chat+variant" | "socketio" | "socketio+pg";
const isChat = (system: System) => system === "chat" || system === "chat+variant";
/** "NAME=value NAME2=value2" as an object. */
const parseEnvList = (list: string | undefined) =>
  Object.fromEntries(words(list).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));

interface Measured extends RunResult {
  cpuMicrosPerDelivered: number;
  /** The same, per component. */
  split: string;
  rssMb: number;
}

interface SystemReport {
  system: System;
  /** The fixed-rate runs, one per round. */
  fixed: Measured[];
  steps: Measured[];
  highestPassing: number;
}

const passes = (r: RunResult) => r.lost === 0 && r.p99 <= 100;

/** One system, up: its servers, private Redis, database and connected clients. */
interface RunningSystem {
  system: System;
  measure(rate: number): Promise<Measured>;
  /** Load that is not measured: JIT, pools, PostgreSQL's caches and statistics settle. */
  warm(rate: number, seconds: number): Promise<unknown>;
  stop(): Promise<void>;
}

async function startSystem(system: System, basePort: number): Promise<RunningSystem> {
  const redis = await startRedis(basePort + 9);
  const db = await createDatabase(SERVER_URL);
  const servers: ChildProcess[] = [];
  const clients: LoadClient[] = [];
  const stop = async () => {
    for (const client of clients) client.close();
    for (const server of servers) server.kill("SIGTERM");
    await sleep(env.BENCH_PROFILE ? 5_000 : 500); // a profile is written on exit
    redis.stop();
    await db.drop().catch(() => {});
  };
  try {
    // Schema and sessions (the baseline uses the same tables when it stores).
    const setup = await openDatabase({ url: db.url, maxConnections: 4 });
    await migrateDatabase(setup);
    const repo = createRepository(setup);
    const specs: ClientSpec[] = [];
    for (let s = 0; s < SESSIONS; s++) {
      const sessionId = `bench-${s}`;
      await repo.createSession({ sessionId, userId: `u${s}-0` });
      for (let k = 0; k < CLIENTS; k++) {
        const userId = `u${s}-${k}`;
        if (k > 0) await repo.addParticipant(sessionId, userId, "member");
        const port = basePort + (k % SPLIT); // half the clients of every session on each server
        const scheme = isChat(system) ? "ws" : "http";
        specs.push({
          url: `${scheme}://127.0.0.1:${port}`,
          session: s,
          sessionId,
          userId,
          token: await signToken({ sub: userId }, { secret: SECRET, expiresIn: "2h" }),
        });
      }
    }
    await setup.close();

    for (const port of [basePort, basePort + 1]) await assertPortFree(port);
    for (const port of [basePort, basePort + 1]) {
      const common = { REDIS_URL: redis.url, LOG_LEVEL: "warn", NODE_ENV: "production" };
      servers.push(
        isChat(system)
          ? spawnTs(
              builtApp("ws-edge"),
              {
                ...common,
                SERVICE_PORT: String(port),
                DATABASE_URL: db.url,
                JWT_SECRET_KEY: SECRET,
                WS_MAX_CONNECTIONS: "100000",
                ...(system === "chat+variant" ? parseEnvList(env.BENCH_VARIANT_ENV) : {}),
              },
              [
                ...(env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${env.BENCH_PROFILE}`] : []),
                ...words(env.BENCH_NODE_ARGS),
                ...(system === "chat+variant" ? words(env.BENCH_VARIANT_ARGS) : []),
              ],
            )
          : spawnTs("packages/bench/src/socketio-server.ts", {
              ...common,
              PORT: String(port),
              ...(system === "socketio+pg" ? { DATABASE_URL: db.url } : { DATABASE_URL: "" }),
            }),
      );
    }
    await Promise.all([waitForPort(basePort), waitForPort(basePort + 1)]);

    const generator = new LoadGenerator(CLIENTS, CONTENT);
    const open = isChat(system) ? openChatClient : openSocketIoClient;
    for (const spec of specs) clients.push(await open(spec, generator.onDelivered));
    generator.clients = clients;

    const pids = [...servers.map((s) => s.pid ?? 0), redis.pid];
    const measure = async (rate: number): Promise<Measured> => {
      const serverPids = servers.map((s) => s.pid ?? 0);
      const pgPids = await backendPids(SERVER_URL, db.name);
      const before = { servers: sumCpu(serverPids), redis: sumCpu([redis.pid]), pg: sumCpu(pgPids) };
      const result = await generator.run(rate, SECONDS);
      const pgAfter = await backendPids(SERVER_URL, db.name);
      // Backends that ended during the run are lost to the count; new ones count in full.
      const newPg = pgAfter.filter((pid) => !pgPids.includes(pid));
      const used = {
        servers: sumCpu(serverPids) - before.servers,
        redis: sumCpu([redis.pid]) - before.redis,
        pg: sumCpu(pgPids) - before.pg + sumCpu(newPg),
      };
      const per = (micros: number) => (result.delivered > 0 ? micros / result.delivered : Number.NaN);
      return {
        ...result,
        cpuMicrosPerDelivered: per(used.servers + used.redis + used.pg),
        split: `servers ${per(used.servers).toFixed(0)} + redis ${per(used.redis).toFixed(0)} + pg ${per(used.pg).toFixed(0)}`,
        rssMb: sumRss(pids) / 2 ** 20,
      };
    };

    return { system, measure, warm: (rate, seconds) => generator.run(rate, seconds), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Steps the rate up until a step fails twice in a row; the highest passing rate. A failed step
 * is measured once more before the search ends: one 5 s step can fail on a single stall (seen:
 * the baseline failing 250/s with p99 150 ms just after passing it three times at p99 25–34 ms).
 */
async function stepUp(running: RunningSystem): Promise<{ steps: Measured[]; highestPassing: number }> {
  const steps: Measured[] = [];
  let highestPassing = 0;
  for (const rate of STEPS) {
    let passed = false;
    for (let attempt = 1; attempt <= 2 && !passed; attempt++) {
      const result = await running.measure(rate);
      steps.push(result);
      print(running.system, attempt === 1 ? "step" : "again", result);
      passed = passes(result);
      await sleep(500);
    }
    if (!passed) break;
    highestPassing = rate;
  }
  return { steps, highestPassing };
}

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

function print(system: string, kind: string, r: Measured): void {
  console.log(
    `${system.padEnd(12)} ${kind.padEnd(5)} rate ${String(r.rate).padStart(5)}/s  delivered ${f(r.delivered / r.seconds, 0).padStart(6)}/s  ` +
      `p50 ${f(r.p50).padStart(6)} ms  p99 ${f(r.p99).padStart(6)} ms  max ${f(r.max).padStart(6)} ms  lost ${r.lost}  ` +
      `cpu ${f(r.cpuMicrosPerDelivered).padStart(6)} µs/delivered (${r.split})  rss ${f(r.rssMb, 0)} MB${passes(r) ? "" : "  FAIL"}`,
  );
}

const cpuOf = (runs: Measured[]) => median(runs.map((r) => r.cpuMicrosPerDelivered));

function summarize(reports: SystemReport[]): void {
  console.log(`\nsummary (fixed rate: median of ${ROUNDS} interleaved runs)`);
  for (const r of reports) {
    console.log(
      `${r.system.padEnd(12)} cpu ${f(cpuOf(r.fixed))} µs/delivered at ${FIXED_RATE}/s ` +
        `(runs: ${r.fixed.map((m) => f(m.cpuMicrosPerDelivered, 0)).join(", ")}), p99 ${f(median(r.fixed.map((m) => m.p99)))} ms; ` +
        `highest passing rate ${r.highestPassing}/s`,
    );
  }
  const chat = reports.find((r) => r.system === "chat");
  const variant = reports.find((r) => r.system === "chat+variant");
  const baseline = reports.find((r) => r.system === "socketio+pg");
  // Run i of one system and run i of the other were taken back to back: a ratio per pair.
  const pairRatios = (a: SystemReport, b: SystemReport) =>
    a.fixed.map((m, i) => m.cpuMicrosPerDelivered / (b.fixed[i]?.cpuMicrosPerDelivered ?? Number.NaN));
  if (chat && variant) {
    const ratios = pairRatios(variant, chat);
    console.log(
      `chat+variant / chat (${[env.BENCH_VARIANT_ARGS, env.BENCH_VARIANT_ENV].filter(Boolean).join("; ")}): ` +
        `cpu per delivered ${f(median(ratios), 2)}× (per round: ${ratios.map((r) => f(r, 2)).join(", ")})`,
    );
  }
  if (!chat || !baseline) return;
  const ratios = pairRatios(chat, baseline);
  const rates =
    baseline.highestPassing > 0
      ? `${f(chat.highestPassing / baseline.highestPassing, 2)}×`
      : `n/a (the baseline passed no step; chat passed up to ${chat.highestPassing}/s)`;
  console.log(
    `chat / socketio+pg: cpu per delivered ${f(median(ratios), 2)}× (per round: ${ratios.map((r) => f(r, 2)).join(", ")}; goal ≤ 0.6), ` +
      `highest passing rate ${rates} (goal ≥ 1.5×)`,
  );
}

async function main() {
  console.log(`bench:fanout on ${await machineReport()}`);
  console.log(
    `${SESSIONS} sessions × ${CLIENTS} clients over 2 processes; ${SECONDS} s per step; one private redis-server`,
  );
  // Every system is up at once; the fixed-rate runs take turns (the order rotating each round),
  // so that whatever else the machine does at the time weighs on all of them alike, and each
  // figure is the median of ROUNDS runs.
  const running: RunningSystem[] = [];
  try {
    let port = 19_400;
    for (const system of SYSTEMS as System[]) {
      running.push(await startSystem(system, port));
      port += 20;
    }
    await Promise.all(running.map((system) => system.warm(FIXED_RATE, WARMUP_SECONDS)));
    const fixed = new Map<System, Measured[]>(running.map((r) => [r.system, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < running.length; i++) {
        const system = running[(round + i) % running.length] as RunningSystem;
        const result = await system.measure(FIXED_RATE);
        fixed.get(system.system)?.push(result);
        print(system.system, `r${round + 1}`, result);
      }
    }
    const reports: SystemReport[] = [];
    for (const system of running) {
      reports.push({ system: system.system, fixed: fixed.get(system.system) ?? [], ...(await stepUp(system)) });
    }
    summarize(reports);
  } finally {
    for (const system of running) await system.stop();
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
