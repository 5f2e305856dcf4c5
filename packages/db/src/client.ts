import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema.js";

/** The drizzle database, typed the same whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database: a drizzle handle plus its lifecycle. */
export interface Database {
  readonly db: Db;
  /** "postgres": a PostgreSQL server over postgres.js; "pglite": embedded PostgreSQL. */
  readonly kind: "postgres" | "pglite";
  /** Round-trips `select 1`; rejects when the database is unreachable. */
  ping(): Promise<void>;
  /** Closes the pool or the embedded instance. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** PostgreSQL URL (`postgres://user@host:5432/db`). Omitted: embedded PGlite. */
  url?: string;
  /** PGlite data directory, created if missing. Omitted: in-memory (lost on close). */
  dataDir?: string;
  /**
   * Size of the postgres.js connection pool (ignored for PGlite, which has one connection).
   * @default 20
   */
  maxConnections?: number;
}

/**
 * What the migrator needs beyond {@link Database}: the postgres URL (it takes its own
 * connection for the advisory lock) or the PGlite instance. Kept off the public object.
 */
export type DriverHandle =
  | { readonly kind: "postgres"; readonly url: string }
  | { readonly kind: "pglite"; readonly client: PGlite };

const handles = new WeakMap<Database, DriverHandle>();

/**
 * A statement as final SQL text with `$1…$n` parameters. The hot read paths run these directly
 * on the driver: no query building per call, and postgres.js prepares each distinct text once
 * per connection.
 */
export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

/**
 * Rows as the driver decodes them. They differ between drivers (postgres.js under drizzle:
 * int8 and timestamps as strings; PGlite: numbers and Dates), so readers normalize.
 */
export type RunStatement = (statement: Statement) => Promise<Record<string, unknown>[]>;

const runners = new WeakMap<Database, RunStatement>();

/** @internal Runs {@link Statement}s on the driver behind a Database opened by {@link openDatabase}. */
export function statementRunner(database: Database): RunStatement {
  const run = runners.get(database);
  if (!run) throw new Error("not a Database opened by openDatabase()");
  return run;
}

/** @internal The driver behind a Database opened by {@link openDatabase}. */
export function driverOf(database: Database): DriverHandle {
  const handle = handles.get(database);
  if (!handle) throw new Error("not a Database opened by openDatabase()");
  return handle;
}

/**
 * Opens PostgreSQL when `url` is given, else PGlite (in `dataDir`, or in memory), and checks
 * that it answers before returning.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { database, handle, run } = options.url
    ? openPostgres(options.url, options.maxConnections ?? 20)
    : await openPglite(options.dataDir);
  handles.set(database, handle);
  runners.set(database, run);
  try {
    await database.ping();
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/**
 * Seconds before a postgres.js connection that failed reconnects. Its default grows with every
 * failure of the whole pool, up to 20 s: after PostgreSQL was down for a few seconds, every
 * query waited that long for a connection once it was back (the chaos suite's restart). Capped
 * at 1 s: a reconnect is one cheap attempt. Every postgres.js pool of the service uses it.
 */
export const reconnectBackoff = (retries: number): number => Math.min(0.05 * 2 ** retries, 1);

/**
 * How long a new connection may take to be ready (TCP, authentication, startup), in seconds.
 * Connecting takes milliseconds; the bound matters when it never finishes. After
 * pg_terminate_backend on every backend (the chaos suite), some reconnect of postgres.js never
 * reached ready and waited the whole timeout: with 10 s, conversations stalled 9–11 s (four
 * runs); with 3 s, 1.8–2.9 s (three runs). The cause, a write timer that postgres.js's teardown
 * cancelled but did not forget, is mended by the pnpm patch (see the README); 3 s stays as
 * the bound for whatever else keeps a connect from finishing. Every postgres.js pool of the
 * service uses it.
 */
export const CONNECT_TIMEOUT_SECONDS = 3;

function openPostgres(url: string, max: number) {
  const client = postgres(url, {
    max,
    // Close idle connections so a quiet instance does not pin server slots.
    idle_timeout: 30,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    backoff: reconnectBackoff,
    // NOTICEs (e.g. "schema already exists, skipping" from the migrator) are not errors.
    onnotice: () => {},
  });
  // bigint columns use drizzle's { mode: "number" }, which converts postgres.js's int8
  // strings to numbers; seqs stay far below 2^53.
  const db = drizzlePostgres({ client, schema }) as Db;
  return {
    database: makeDatabase(db, "postgres", () => client.end({ timeout: 5 })),
    handle: { kind: "postgres", url } as const,
    run: (({ text, params }) =>
      client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as RunStatement,
  };
}

async function openPglite(dataDir: string | undefined) {
  // Loaded only when used: containers run on a PostgreSQL server and do not ship PGlite.
  const [{ PGlite }, { pg_trgm }, { drizzle: drizzlePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite/contrib/pg_trgm"),
    import("drizzle-orm/pglite"),
  ]);
  let client: PGlite;
  // pg_trgm backs message search (Korean text has no word boundaries full-text search can use).
  const extensions = { pg_trgm };
  if (dataDir === undefined) {
    client = await PGlite.create({ extensions });
  } else {
    // "memory://", "idb://"... are PGlite URLs, not directories.
    const isUrl = dataDir.includes("://");
    const path = isUrl ? dataDir : resolve(dataDir);
    if (!isUrl) await mkdir(path, { recursive: true });
    client = await PGlite.create(path, { extensions });
  }
  const db = drizzlePglite({ client, schema }) as Db;
  return {
    database: makeDatabase(db, "pglite", () => client.close()),
    handle: { kind: "pglite", client } as const,
    run: (async ({ text, params }) =>
      (await client.query<Record<string, unknown>>(text, params as unknown[])).rows) as RunStatement,
  };
}

function makeDatabase(db: Db, kind: Database["kind"], end: () => Promise<void>): Database {
  let closing: Promise<void> | undefined;
  return {
    db,
    kind,
    async ping() {
      await db.execute(sql`select 1`);
    },
    close() {
      closing ??= end();
      return closing;
    },
  };
}
