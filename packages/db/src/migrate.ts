import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { type Database, driverOf } from "./client.js";

/**
 * The committed drizzle-kit output. Resolved from this module's URL, so it is found from
 * src/ (dev, tests) and from dist/ (containers) alike: both sit beside ./drizzle.
 */
export const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));

// Any constant works as long as every migrating process uses the same one.
const MIGRATION_LOCK_KEY = 4_217_001_337;

/**
 * Applies the pending committed migrations. Safe to run from several processes at once
 * against one PostgreSQL server: they take turns behind an advisory lock, and all but the
 * first find nothing left to do.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  const handle = driverOf(database);
  if (handle.kind === "pglite") return migrateEmbedded(handle.client);
  await migrateServer(handle.url);
}

async function migrateServer(url: string): Promise<void> {
  // Drizzle's migrator reads the applied list outside its transaction and runs
  // `CREATE SCHEMA IF NOT EXISTS` unguarded, so two processes starting together could both
  // apply the same migration. A session-level advisory lock makes them take turns. It needs
  // one dedicated connection: a pool could run the unlock on a different connection than the
  // lock, and the migrator's transaction must not wait for a pool slot the lock is holding.
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client.unsafe(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await migratePostgres(drizzlePostgres({ client }), { migrationsFolder });
    } finally {
      await client.unsafe(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

// PGlite has one connection per process, and only one process can open a data directory, so
// only callers in this process can race; chaining their runs is enough.
const embeddedRuns = new WeakMap<PGlite, Promise<void>>();

function migrateEmbedded(client: PGlite): Promise<void> {
  const previous = embeddedRuns.get(client) ?? Promise.resolve();
  const run = previous
    .catch(() => {})
    .then(async () => {
      const [{ drizzle }, { migrate }] = await Promise.all([
        import("drizzle-orm/pglite"),
        import("drizzle-orm/pglite/migrator"),
      ]);
      await migrate(drizzle({ client }), { migrationsFolder });
    });
  embeddedRuns.set(client, run);
  return run;
}
