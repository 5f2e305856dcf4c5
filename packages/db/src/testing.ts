/**
 * `@chat/db/testing`: a fresh, migrated database per test (file). With DATABASE_URL set it is
 * a new database on that server, dropped on close; otherwise an in-memory PGlite. The same
 * suite thereby runs against both. Test helpers may read process.env; libraries may not.
 */
import { randomBytes } from "node:crypto";
import { type SQLWrapper, sql } from "drizzle-orm";
import postgres from "postgres";
import { type Database, openDatabase, type Statement, statementRunner } from "./client.js";
import { migrateDatabase } from "./migrate.js";
import { queryRows } from "./raw.js";

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /**
   * Pool size on a real server.
   * @default 20
   */
  maxConnections?: number;
  /**
   * Apply the migrations before returning; false leaves the database empty.
   * @default true
   */
  migrate?: boolean;
}

/**
 * Creates a migrated, empty database that `close()` (or `await using`) throws away. On a
 * server, `url` is the new database's URL (for tests that start apps as processes).
 */
export async function createTestDatabase(
  options: TestDatabaseOptions = {},
): Promise<Database & AsyncDisposable & { url?: string }> {
  const serverUrl = process.env.DATABASE_URL || undefined;
  const database = serverUrl ? await createServerDatabase(serverUrl, options.maxConnections) : await openDatabase({});
  try {
    if (options.migrate !== false) await migrateDatabase(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return Object.assign(database, { [Symbol.asyncDispose]: () => database.close() });
}

async function createServerDatabase(serverUrl: string, maxConnections?: number) {
  // The name comes from hex digits only, so splicing it into DDL is safe.
  const name = `chat_t_${randomBytes(8).toString("hex")}`;
  await withAdmin(serverUrl, (admin) => admin.unsafe(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = () =>
    // FORCE (PG 13+) ends connections a test leaked instead of failing the drop.
    withAdmin(serverUrl, (admin) => admin.unsafe(`drop database if exists ${name} with (force)`));
  const database = await openDatabase({ url: url.toString(), maxConnections }).catch(async (error: unknown) => {
    await drop();
    throw error;
  });
  const closePool = database.close.bind(database);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= closePool().finally(drop);
    return closing;
  };
  return Object.assign(database, { close, url: url.toString() });
}

async function withAdmin(url: string, run: (admin: postgres.Sql) => Promise<unknown>) {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await run(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Runs one SQL statement given as text (bulk seeding in tests and benchmarks). */
export async function execRaw(database: Database, statement: string): Promise<void> {
  await database.db.execute(sql.raw(statement));
}

/** A node of `EXPLAIN (FORMAT JSON)`. */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

/** The plan PostgreSQL would use for `query` (a drizzle query or SQL), as JSON. */
export async function explainPlan(database: Database, query: SQLWrapper | Statement): Promise<PlanNode> {
  const [row] = (
    "text" in query
      ? await statementRunner(database)({ text: `explain (format json) ${query.text}`, params: query.params })
      : await queryRows(database.db, sql`explain (format json) ${query}`)
  ) as { "QUERY PLAN": [{ Plan: PlanNode }] | string }[];
  const value = row?.["QUERY PLAN"];
  const parsed = typeof value === "string" ? (JSON.parse(value) as [{ Plan: PlanNode }]) : value;
  const plan = parsed?.[0]?.Plan;
  if (!plan) throw new Error("EXPLAIN returned no plan");
  return plan;
}
