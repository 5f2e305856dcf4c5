import {
  type Database,
  listSessionsStatement,
  memberPageStatement,
  openDatabase,
  queryRows,
  searchHitsQuery,
  statementRunner,
} from "@chat/db";

export interface QueryTiming {
  name: string;
  runs: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function time(name: string, runs: number, run: (i: number) => Promise<unknown>): Promise<QueryTiming> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { name, runs, p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)) };
}

/**
 * The repository statements alone, one at a time (database + driver round trip, no HTTP, no
 * concurrency): separates what PostgreSQL costs from what the load and the machine add.
 */
export async function timeQueries(url: string, heavyUser: string, heavySessions: number): Promise<QueryTiming[]> {
  const database: Database = await openDatabase({ url, maxConnections: 1 });
  const { db } = database;
  const run = statementRunner(database);
  const session = (i: number) => `sess_seed_${1 + ((i * 37) % heavySessions)}`;
  try {
    return [
      await time("session list (first page)", 200, () =>
        run(listSessionsStatement(heavyUser, { limit: 20, offset: 0 })),
      ),
      await time("message page (newest 50)", 500, (i) =>
        run(memberPageStatement(session(i), heavyUser, { limit: 50 })),
      ),
      await time("message page (before seq 60)", 500, (i) =>
        run(memberPageStatement(session(i), heavyUser, { limit: 50, beforeSeq: 60 })),
      ),
      await time("search hits, rare 6 digits", 200, (i) =>
        queryRows(
          db,
          searchHitsQuery(heavyUser, String(1_000 + ((i * 7919) % heavySessions) * 1_000 + 17), { limit: 20 }),
        ),
      ),
      await time("search hits, 2 characters", 50, () =>
        queryRows(db, searchHitsQuery(heavyUser, "환불", { limit: 20 })),
      ),
    ];
  } finally {
    await database.close();
  }
}
