import type { SQL } from "drizzle-orm";
import type { Db } from "./client.js";
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

/** Raw `chat_messages` columns → the drizzle row shape (drivers differ in int8/timestamp types). */
export function toMessageRow(raw: Record<string, unknown>): MessageRow {
  const date = (v: unknown) => (v == null ? null : v instanceof Date ? v : new Date(String(v)));
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : (v ?? null));
  return {
    id: Number(raw.id),
    sessionId: raw.session_id as string,
    messageId: raw.message_id as string,
    senderType: raw.sender_type as MessageRow["senderType"],
    senderId: raw.sender_id as string,
    messageType: raw.message_type as MessageRow["messageType"],
    content: (raw.content as string | null) ?? null,
    metadata: json(raw.metadata),
    tokensUsed: raw.tokens_used == null ? null : Number(raw.tokens_used),
    latencyMs: raw.latency_ms == null ? null : Number(raw.latency_ms),
    isEdited: (raw.is_edited as boolean | null) ?? false,
    editedAt: date(raw.edited_at),
    createdAt: date(raw.created_at),
    seq: Number(raw.seq),
    eventSeq: Number(raw.event_seq),
    clientMsgId: (raw.client_msg_id as string | null) ?? null,
    status: raw.status as MessageRow["status"],
  };
}
