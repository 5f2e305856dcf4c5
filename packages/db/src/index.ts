export { type BatchingAppender, type BatchingAppenderOptions, createBatchingAppender } from "./batch-appender.js";
export {
  type Database,
  type Db,
  type OpenDatabaseOptions,
  openDatabase,
} from "./client.js";
export { NotFoundError } from "./errors.js";
export { newMessageId, newSessionId } from "./ids.js";
export { migrateDatabase, migrationsFolder } from "./migrate.js";
export { queryRows } from "./raw.js";
export { createRepository } from "./repository.js";
export * as schema from "./schema.js";
export * from "./schema.js";
export type * from "./types.js";
