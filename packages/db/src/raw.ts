import type { SQL } from "drizzle-orm";
import postgres from "postgres";
import {
  CONNECT_TIMEOUT_SECONDS,
  type Database,
  type Db,
  driverOf,
  type RunStatement,
  reconnectBackoff,
  statementRunner,
} from "./client.js";
import { toDate, toJson } from "./decode.js";
import type { MessageRow } from "./types.js";

/**
 * Runs a raw statement and returns its rows. `db.execute()` resolves to an array of rows on
 * postgres.js and to `{ rows }` on PGlite; this hides the difference. Values come back as the
 * driver decodes them (int8 and numeric as strings on postgres.js), so cast in SQL (`::int`)
 * what must be a number.
 */
export async function queryRows<Row extends Record<string, unknown>>(db: Db, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as Row[];
  return (result as { rows: Row[] }).rows;
}

/** The one row an `insert ... returning` or a lookup by a unique key must produce. */
export function single<T>(rows: T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`expected a row from ${what}`);
  return row;
}

/** Runs {@link Statement}s over connections of its own. */
export interface StatementRunner {
  run: RunStatement;
  close(): Promise<void>;
}

/**
 * For a hot statement whose text never changes (arrays as parameters rather than a VALUES list
 * of varying length): on PostgreSQL, a pool of `connections` of its own where statements are
 * prepared once and always run their generic plan. drizzle sends unnamed statements, planned
 * on every call, and under the default plan_cache_mode a prepared statement over arrays keeps
 * being re-planned too (its generic plan's estimate never beats the custom one's); planning a
 * statement of several CTEs costs more than running it. That generic plan is made once per
 * connection, from the table sizes of that moment: on a small table (a new deployment, a test)
 * the planner picks sequential scans, which then stay while the table grows and its updated
 * rows leave dead versions behind (measured: the batched append's PostgreSQL CPU per batch
 * doubled within a minute of load). These statements look rows up by key only, so the pool
 * plans with `enable_seqscan = off`: index scans whatever the table's size when planned.
 * On PGlite, which has one connection, the database's own {@link statementRunner}.
 */
export function openStatementRunner(database: Database, connections: number): StatementRunner {
  const handle = driverOf(database);
  if (handle.kind === "pglite") return { run: statementRunner(database), close: async () => {} };
  const client = postgres(handle.url, {
    max: connections,
    idle_timeout: 30,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    backoff: reconnectBackoff,
    onnotice: () => {},
    connection: { plan_cache_mode: "force_generic_plan", enable_seqscan: "off" },
  });
  return {
    run: ({ text, params }) => client.unsafe(text, params as never[], { prepare: true }),
    close: () => client.end({ timeout: 5 }),
  };
}

/** Raw `chat_messages` columns → the drizzle row shape (drivers differ in int8/timestamp types). */
export function toMessageRow(raw: Record<string, unknown>): MessageRow {
  return {
    id: Number(raw.id),
    sessionId: raw.session_id as string,
    messageId: raw.message_id as string,
    senderType: raw.sender_type as MessageRow["senderType"],
    senderId: raw.sender_id as string,
    messageType: raw.message_type as MessageRow["messageType"],
    content: (raw.content as string | null) ?? null,
    metadata: (toJson(raw.metadata) ?? null) as MessageRow["metadata"],
    tokensUsed: raw.tokens_used == null ? null : Number(raw.tokens_used),
    latencyMs: raw.latency_ms == null ? null : Number(raw.latency_ms),
    isEdited: (raw.is_edited as boolean | null) ?? false,
    editedAt: toDate(raw.edited_at),
    createdAt: toDate(raw.created_at),
    seq: Number(raw.seq),
    eventSeq: Number(raw.event_seq),
    clientMsgId: (raw.client_msg_id as string | null) ?? null,
    status: raw.status as MessageRow["status"],
  };
}
