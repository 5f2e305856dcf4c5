/**
 * `pnpm bench:api`: REST latency under load on real PostgreSQL.
 *
 * Seeds 10,000 sessions and 1,000,000 messages into a fresh database (dropped at the end),
 * starts the api as a child process, and drives session list, message page and search at
 * fixed rates (open loop, evenly spaced; see load.ts). Prints figures; asserts nothing.
 *
 *   DATABASE_URL / TEST_DATABASE_URL   server to use (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_SECONDS                      seconds per scenario (default 15)
 *   BENCH_ONLY                         run only the scenarios whose name contains this (e.g. "message page")
 *   BENCH_KEEP_DATABASE=1              keep the seeded database (prints its name) instead of dropping it
 *   BENCH_DATABASE                     reuse a database kept by BENCH_KEEP_DATABASE: no seeding, no drop
 *   BENCH_API_NODE_ARGS                extra node flags for the api process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")
 *   BENCH_API_POOL_SIZE                the api's DATABASE_POOL_SIZE (default 20)
 *   BENCH_API_LOG_LEVEL                the api's LOG_LEVEL (default info: its one line per request is part of the cost)
 *
 * CPU per request is the api process's user + system time over the scenario (from /proc)
 * divided by the requests answered: unlike the percentiles it barely moves when other work
 * shares the machine. The same for the PostgreSQL backends of the bench database (db µs/req) and
 * for the load generator (this process), to show it is not the limit.
 */
import { cpus, loadavg } from "node:os";
import { signToken } from "@chat/core";
import { migrateDatabase, openDatabase } from "@chat/db";
import { seedChatData } from "@chat/tests/seed";
import postgres from "postgres";
import { startApiProcess } from "./api-server";
import { type BenchDatabase, createBenchDatabase, existingBenchDatabase } from "./bench-database";
import { cpuMicros } from "./lib/proc";
import { runScenario, type Scenario, type ScenarioResult } from "./load";
import { type QueryTiming, timeQueries } from "./query-timings";

const SESSIONS = 10_000;
const PER_SESSION = 100;
const HEAVY_USER = "bench.heavy";
const HEAVY_SESSIONS = 1_000;
const SECRET = "bench-secret";
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const only = process.env.BENCH_ONLY;
const keepDatabase = process.env.BENCH_KEEP_DATABASE === "1";
const reuseDatabase = process.env.BENCH_DATABASE;
const apiNodeArgs = (process.env.BENCH_API_NODE_ARGS ?? "").split(" ").filter(Boolean);
const apiLogLevel = process.env.BENCH_API_LOG_LEVEL ?? "info";
const apiPoolSize = process.env.BENCH_API_POOL_SIZE ?? "20";
const serverUrl =
  process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

const log = (line: string) => process.stdout.write(`${line}\n`);
const elapsed = (since: number) => `${((performance.now() - since) / 1_000).toFixed(1)} s`;
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;
const heavySession = () => `sess_seed_${1 + Math.floor(Math.random() * HEAVY_SESSIONS)}`;

async function seed(url: string) {
  const database = await openDatabase({ url, maxConnections: 2 });
  await migrateDatabase(database);
  await database.close();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const started = performance.now();
    // Building the trigram index once at the end is far cheaper than maintaining it per row.
    await sql`drop index idx_chat_messages_content_trgm`;
    await seedChatData((statement) => sql.unsafe(statement), {
      sessions: SESSIONS,
      messagesPerSession: PER_SESSION,
      heavyUser: HEAVY_USER,
      heavySessions: HEAVY_SESSIONS,
      onProgress: (done, total) =>
        log(`  seeded ${done.toLocaleString()} / ${total.toLocaleString()} messages (${elapsed(started)})`),
    });
    log(`  building the trigram index… (${elapsed(started)})`);
    await sql`create index idx_chat_messages_content_trgm on chat_messages using gin (content gin_trgm_ops)`;
    // VACUUM sets the visibility map, so counts can be index-only scans as on a settled database.
    await sql`vacuum analyze`;
    log(`  seeded in ${elapsed(started)}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function scenarios(token: string): Scenario[] {
  const rareTerms = () =>
    String(1_000 + Math.floor(Math.random() * HEAVY_SESSIONS) * 1_000 + 1 + Math.floor(Math.random() * PER_SESSION));
  return [
    {
      name: "session list (1,000 sessions, page of 20)",
      rate: 200,
      token,
      nextPath: () => `/api/chat/sessions?limit=20&offset=${pick([0, 0, 0, 20, 40, 500, 980])}`,
    },
    {
      name: "message page (50, newest or before a seq)",
      rate: 500,
      token,
      nextPath: () =>
        `/api/chat/sessions/${heavySession()}/messages?limit=50${Math.random() < 0.5 ? "" : `&before=${1 + Math.floor(Math.random() * PER_SESSION)}`}`,
    },
    {
      name: "search, 3+ chars (trigram index)",
      rate: 100,
      token,
      nextPath: () =>
        `/api/chat/search?limit=20&q=${encodeURIComponent(pick([rareTerms(), "영수증 관련", "비밀번호 문제로"]))}`,
    },
    {
      name: "search, 2 chars (caller's sessions)",
      rate: 50,
      token,
      nextPath: () => `/api/chat/search?limit=20&q=${encodeURIComponent(pick(["환불", "쿠폰", "예약", "재고"]))}`,
    },
  ];
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(" ");

function reportQueries(timings: QueryTiming[]) {
  log("\nstatement alone (sequential)         runs   p50 ms   p99 ms");
  for (const t of timings) {
    log(`${t.name.padEnd(36)}${String(t.runs).padStart(5)}${String(t.p50).padStart(9)}${String(t.p99).padStart(9)}`);
  }
}

interface Measured extends ScenarioResult {
  /** api process CPU (user + system) per answered request, µs. */
  apiCpuPerRequest: number;
  /** The load generator's (this process's) CPU per request, µs. */
  loadCpuPerRequest: number;
  /** The PostgreSQL backends' CPU per request (those connected to the bench database), µs. */
  dbCpuPerRequest: number;
}

/** CPU so far of each PostgreSQL backend connected to the bench database (same host: /proc). */
async function backendCpu(sql: postgres.Sql, database: string): Promise<Map<number, number>> {
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`;
  return new Map(rows.map(({ pid }) => [pid, cpuMicros(pid)]));
}

async function measure(api: { url: string; pid: number }, db: BenchDb, scenario: Scenario): Promise<Measured> {
  const apiBefore = cpuMicros(api.pid);
  const dbBefore = await backendCpu(db.sql, db.name);
  const loadBefore = process.cpuUsage();
  const result = await runScenario(api.url, scenario, seconds);
  const load = process.cpuUsage(loadBefore);
  const dbAfter = await backendCpu(db.sql, db.name);
  // A backend that closed during the run is lost; the api's pool stays warm, so that is rare.
  let dbUsed = 0;
  for (const [pid, micros] of dbAfter) dbUsed += micros - (dbBefore.get(pid) ?? 0);
  const requests = Math.max(1, result.requests);
  return {
    ...result,
    apiCpuPerRequest: Math.round((cpuMicros(api.pid) - apiBefore) / requests),
    loadCpuPerRequest: Math.round((load.user + load.system) / requests),
    dbCpuPerRequest: Math.round(dbUsed / requests),
  };
}

interface BenchDb {
  sql: postgres.Sql;
  name: string;
}

function report(results: Measured[]) {
  log(
    "\nscenario                                    rate/s   req/s    p50 ms  p90 ms  p99 ms  max ms  non-2xx  errors  api µs/req  db µs/req  load µs/req",
  );
  for (const r of results) {
    log(
      `${r.name.padEnd(44)}${String(r.rate).padStart(6)}${r.rps.toFixed(0).padStart(8)}${String(r.p50).padStart(10)}${String(r.p90).padStart(8)}${String(r.p99).padStart(8)}${String(r.max).padStart(8)}${String(r.non2xx).padStart(9)}${String(r.errors).padStart(8)}${String(r.apiCpuPerRequest).padStart(12)}${String(r.dbCpuPerRequest).padStart(11)}${String(r.loadCpuPerRequest).padStart(13)}`,
    );
  }
}

async function main() {
  log(`bench:api on ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
  log(`PostgreSQL ${new URL(serverUrl).host}; ${seconds} s per scenario`);
  const bench: BenchDatabase = reuseDatabase
    ? existingBenchDatabase(serverUrl, reuseDatabase)
    : await createBenchDatabase(serverUrl);
  const dropAtEnd = !reuseDatabase && !keepDatabase;
  let stopApi: (() => Promise<void>) | undefined;
  let stopWatcher: (() => Promise<void>) | undefined;
  const cleanup = async () => {
    await stopWatcher?.();
    await stopApi?.();
    if (dropAtEnd) await bench.drop();
  };
  process.once("SIGINT", () => {
    log("interrupted: dropping the bench database");
    cleanup().finally(() => process.exit(130));
  });
  try {
    if (reuseDatabase) {
      log(`database ${bench.name}: reused as seeded`);
    } else {
      log(
        `database ${bench.name}: seeding ${SESSIONS.toLocaleString()} sessions, ${(SESSIONS * PER_SESSION).toLocaleString()} messages`,
      );
      await seed(bench.url);
    }
    log(`load average before the measurements: ${load()}`);
    if (!only) reportQueries(await timeQueries(bench.url, HEAVY_USER, HEAVY_SESSIONS));
    // Requests still in flight when the bench stops the api fail noisily; the bench counts errors itself.
    // The api logs as in production (one line per request) to /dev/null: the line's cost counts.
    const api = await startApiProcess(
      { DATABASE_URL: bench.url, JWT_SECRET_KEY: SECRET, DATABASE_POOL_SIZE: apiPoolSize, LOG_LEVEL: apiLogLevel },
      apiNodeArgs,
      "ignore",
    );
    stopApi = api.stop;
    const token = await signToken({ sub: HEAVY_USER }, { secret: SECRET, expiresIn: "1h" });
    const results: Measured[] = [];
    const watcher = { sql: postgres(bench.url, { max: 1, onnotice: () => {} }), name: bench.name };
    stopWatcher = () => watcher.sql.end({ timeout: 5 });
    for (const scenario of scenarios(token).filter((s) => !only || s.name.includes(only))) {
      // A short warm-up (JIT, connection pool, PostgreSQL caches) that is not measured.
      await runScenario(api.url, { ...scenario, rate: Math.min(scenario.rate, 100) }, 2);
      log(`running: ${scenario.name} at ${scenario.rate}/s for ${seconds} s`);
      results.push(await measure(api, watcher, scenario));
    }
    report(results);
    log(`load average after: ${load()} (on ${cpus().length} cores; anything else running skews the figures)`);
    log("\ngoals: message page p99 < 20 ms at 500/s; session list p99 < 50 ms");
  } finally {
    await cleanup();
    log(dropAtEnd ? `dropped ${bench.name}` : `kept ${bench.name} (BENCH_DATABASE=${bench.name} reuses it)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
