export { type BatchingAppender, type BatchingAppenderOptions, createBatchingAppender } from "./batch-appender.js";
export {
  type Database,
  type Db,
  type OpenDatabaseOptions,
  openDatabase,
  type Statement,
  statementRunner,
} from "./client.js";
export { NotFoundError } from "./errors.js";
export { newMessageId, newSessionId } from "./ids.js";
export { memberPageStatement } from "./message-page.js";
export { pageMessagesQuery } from "./message-queries.js";
export { appendStatement, replyContextStatement, updateAsEventStatement } from "./message-statements.js";
export { migrateDatabase, migrationsFolder } from "./migrate.js";
export { queryRows } from "./raw.js";
export { createRepository } from "./repository.js";
export * as schema from "./schema.js";
export * from "./schema.js";
export { likePattern, searchHitsQuery } from "./search-queries.js";
export { listSessionsStatement } from "./session-list.js";
export type * from "./types.js";
