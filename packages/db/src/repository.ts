import { type Database, statementRunner } from "./client.js";
import { fileQueries } from "./file-queries.js";
import { pageMessagesForMember } from "./message-page.js";
import { messageQueries } from "./message-queries.js";
import { participantQueries } from "./participant-queries.js";
import { searchQueries } from "./search-queries.js";
import { listSessions } from "./session-list.js";
import { sessionQueries } from "./session-queries.js";
import { sessionUpdates } from "./session-updates.js";
import type { ChatRepository } from "./types.js";

/**
 * The repository over an open database. Stateless: create one per Database and share it.
 * Works the same on PostgreSQL and PGlite.
 */
export function createRepository(database: Database): ChatRepository {
  const { db } = database;
  const run = statementRunner(database);
  return {
    ...sessionQueries(db),
    ...sessionUpdates(db),
    listSessions: (userId, options) => listSessions(db, run, userId, options),
    ...participantQueries(db),
    ...messageQueries(db, run),
    pageMessagesForMember: (sessionId, userId, options) => pageMessagesForMember(run, sessionId, userId, options),
    ...searchQueries(db),
    ...fileQueries(db),
  };
}
