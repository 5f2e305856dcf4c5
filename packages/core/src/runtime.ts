import { join } from "node:path";
import { type Bus, createBus } from "@chat/bus";
import { type ChatRepository, createRepository, type Database, migrateDatabase, openDatabase } from "@chat/db";

export interface RuntimeOptions {
  /** PostgreSQL URL; unset → embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /** @default "./.data" */
  dataDir?: string;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** Redis URL; unset → the in-process bus (one process only). */
  redisUrl?: string;
  /** Prefix of every Redis key and channel (REDIS_KEY_PREFIX). @default "" */
  redisKeyPrefix?: string;
  /** Apply migrations before returning (always done for embedded PGlite). @default true */
  migrate?: boolean;
}

/** The infrastructure every app runs on: PostgreSQL (or PGlite) and the bus. */
export interface Runtime {
  database: Database;
  repo: ChatRepository;
  bus: Bus;
  close(): Promise<void>;
}

export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const database = await openDatabase({
    url: options.databaseUrl,
    dataDir: options.databaseUrl ? undefined : join(options.dataDir ?? "./.data", "pglite"),
    maxConnections: options.maxConnections,
  });
  try {
    if (options.migrate !== false || database.kind === "pglite") await migrateDatabase(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const bus = createBus({ url: options.redisUrl, namespace: options.redisKeyPrefix || undefined });
  let closed: Promise<void> | undefined;
  return {
    database,
    repo: createRepository(database),
    bus,
    close() {
      closed ??= Promise.allSettled([bus.close(), database.close()]).then(() => undefined);
      return closed;
    },
  };
}
