import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { statementRunner } from "./client.js";
import { createTestDatabase } from "./testing.js";

/** The error code of a failed query: postgres.js's own (CONNECTION_CLOSED...), or PostgreSQL's. */
function errorCode(error: unknown): string {
  const inner = (error as { cause?: unknown }).cause ?? error;
  return String((inner as { code?: unknown }).code ?? (inner as Error).message);
}

/** Resolves to "pending" when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// What a query may fail with while its backend is terminated: PostgreSQL's admin shutdown, or
// postgres.js's view of the lost socket.
const CONNECTION_LOSS = new Set(["57P01", "CONNECTION_CLOSED", "CONNECTION_DESTROYED", "ECONNRESET", "EPIPE"]);

// Only a server has backends to terminate (the embedded pass runs PGlite in-process).
describe.skipIf(!process.env.DATABASE_URL)("postgres.js pool when PostgreSQL terminates its backends", () => {
  // The pnpm patch of postgres.js (README, "Chaos"): after a socket error the pool kept handing
  // queries to the dying connection until its close; those were never settled, and the next
  // connection on that slot took one of them for its own and stalled for good. Without the
  // patch, most runs of this test leave queries pending.
  it("settles every query and serves again when the pool is saturated", async () => {
    // Pool 8 with two loops per connection, through statementRunner (the service's hot path):
    // without the patch, 4 runs of 4 left queries pending. Through drizzle's execute, or with
    // pool 4, the race was rarely hit.
    const poolSize = 8;
    await using database = await createTestDatabase({ maxConnections: poolSize, migrate: false });
    const url = database.url;
    if (!url) throw new Error("a server database has a url");
    const run = statementRunner(database);
    const databaseName = new URL(url).pathname.slice(1);

    let running = true;
    let next = 0;
    const pending = new Set<number>();
    const failures = new Map<string, number>();
    const mismatches: string[] = [];
    let succeeded = 0;
    // More loops than connections: the pool is always saturated and pipelines onto busy ones.
    const loop = async (worker: number) => {
      while (running) {
        const id = ++next;
        pending.add(id);
        try {
          const rows = await run({
            text: "select pg_sleep(0.002), $1::int as worker, $2::int as id",
            params: [worker, id],
          });
          const row = rows[0];
          // A reply taken by the wrong query would show up here.
          if (row?.worker !== worker || row?.id !== id) mismatches.push(`${worker}/${id}: ${JSON.stringify(row)}`);
          else succeeded++;
        } catch (error) {
          const code = errorCode(error);
          failures.set(code, (failures.get(code) ?? 0) + 1);
        }
        pending.delete(id);
      }
    };
    const loops = Array.from({ length: poolSize * 2 }, (_, worker) => loop(worker));

    const admin = postgres(url.replace(`/${databaseName}`, "/postgres"), { max: 1, onnotice: () => {} });
    let terminated = 0;
    try {
      for (let round = 0; round < 3; round++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const rows = await admin`
          select count(*) filter (where pg_terminate_backend(pid))::int as n
          from pg_stat_activity where datname = ${databaseName} and pid <> pg_backend_pid()`;
        terminated += rows[0]?.n ?? 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      running = false;
      await admin.end({ timeout: 5 });
    }

    // A liveness bound, not a speed goal: settled queries take milliseconds, a lost one forever.
    const outcome = await within(Promise.all(loops), 10_000);
    expect(outcome === "pending" ? [...pending] : [], "queries never settled").toEqual([]);
    expect(mismatches, "replies delivered to the wrong query").toEqual([]);
    expect(terminated, "backends were terminated").toBeGreaterThanOrEqual(poolSize);
    expect(
      [...failures.keys()].filter((code) => !CONNECTION_LOSS.has(code)),
      "unexpected errors",
    ).toEqual([]);
    expect(succeeded).toBeGreaterThan(0);

    // Every slot of the pool works again: as many concurrent queries as the pool is large, twice.
    for (let round = 0; round < 2; round++) {
      const after = await within(
        Promise.all(
          Array.from({ length: poolSize }, (_, i) => run({ text: "select pg_sleep(0.01), $1::int as i", params: [i] })),
        ),
        10_000,
      );
      expect(after === "pending" ? "pending" : after.map((rows) => rows[0]?.i)).toEqual(
        Array.from({ length: poolSize }, (_, i) => i),
      );
    }
  });
});
