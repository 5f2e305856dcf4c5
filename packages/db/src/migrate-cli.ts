/**
 * `pnpm migrate`: applies the committed migrations to DATABASE_URL, or to the embedded
 * database in DATA_DIR/pglite (DATA_DIR defaults to ./.data) when DATABASE_URL is unset.
 * An entry point, so it alone (with testing.ts) reads process.env in this package.
 */
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { type Database, openDatabase } from "./client.js";
import { migrateDatabase, migrationsFolder } from "./migrate.js";
import { queryRows } from "./raw.js";

async function appliedCount(database: Database): Promise<number> {
  // Two statements: a query naming a missing table fails to parse, whatever guards it.
  const [table] = await queryRows<{ name: string | null }>(
    database.db,
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as name`,
  );
  if (!table?.name) return 0;
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return row?.n ?? 0;
}

/** Drizzle wraps driver errors ("Failed query: ..."); the innermost cause says what failed. */
function explain(error: unknown): string {
  let root = error;
  while (root instanceof Error && root.cause !== undefined) root = root.cause;
  const message = root instanceof Error ? root.message : String(root);
  if (root === error || !(error instanceof Error)) return message;
  return `${message} (${error.message.split("\n")[0]})`;
}

/** The URL without its password, for printing. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "DATABASE_URL (not a valid URL)";
  }
}

const url = process.env.DATABASE_URL || undefined;
// The same place the apps use: DATA_DIR (default ./.data) + /pglite.
const dataDir = join(process.env.DATA_DIR || "./.data", "pglite");
const target = url ? redact(url) : `PGlite at ${dataDir}`;

async function main(): Promise<void> {
  const database = await openDatabase(url ? { url, maxConnections: 1 } : { dataDir });
  try {
    const before = await appliedCount(database);
    await migrateDatabase(database);
    const after = await appliedCount(database);
    const applied = after - before;
    console.log(
      applied === 0
        ? `${target}: already up to date (${after} migration(s) applied)`
        : `${target}: applied ${applied} migration(s) from ${migrationsFolder}; ${after} in total`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(`migrating ${target} failed: ${explain(error)}`);
  process.exitCode = 1;
});
