import { join } from "node:path";
import { type Bus, createBus } from "@chat/bus";
import {
  type ChatRepository,
  createBatchingAppender,
  createRepository,
  type Database,
  migrateDatabase,
  openDatabase,
} from "@chat/db";
import type { Metrics } from "./metrics";

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
  /**
   * Store messages with group commit (`createBatchingAppender`): appends made while one batch
   * is being stored go together in the next. For processes that take many messages (edges).
   * @default false
   */
  batchAppends?: boolean;
  /** With `batchAppends`: how long a batch waits for more appends (its `windowMs`). @default 0 */
  batchWindowMs?: number;
  /** Records stored messages and write batch sizes. */
  metrics?: Metrics;
}

/** The infrastructure every app runs on: PostgreSQL (or PGlite) and the bus. */
export interface Runtime {
  database: Database;
  repo: ChatRepository;
  bus: Bus;
  /** Readiness: resolves when PostgreSQL and Redis both answer, rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The runtime settings every app reads the same way from its parsed environment. */
export function runtimeOptionsFromEnv(env: {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
  REDIS_URL?: string | undefined;
  REDIS_KEY_PREFIX: string;
  DATABASE_POOL_SIZE: number;
}): RuntimeOptions {
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    maxConnections: env.DATABASE_POOL_SIZE,
  };
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
  const metrics = options.metrics;
  const appender = options.batchAppends
    ? createBatchingAppender(database, {
        windowMs: options.batchWindowMs,
        onBatch: (size) => metrics?.storeBatchSize.observe(size),
      })
    : undefined;
  const base = createRepository(database);
  const store = appender ? appender.append : base.appendMessage;
  const repo: ChatRepository = {
    ...base,
    async appendMessage(input) {
      const result = await store(input);
      if (!result.duplicate) metrics?.messagesStored.inc({ sender_type: input.senderType });
      return result;
    },
  };
  let closed: Promise<void> | undefined;
  return {
    database,
    repo,
    bus,
    async ping() {
      await Promise.all([database.ping(), bus.ping()]);
    },
    close() {
      closed ??= (async () => {
        await appender?.close();
        await Promise.allSettled([bus.close(), database.close()]);
      })();
      return closed;
    },
  };
}
