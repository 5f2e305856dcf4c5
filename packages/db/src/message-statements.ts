import type { Statement } from "./client.js";
import { newMessageId } from "./ids.js";
import type { AppendMessageInput, MessagePatch } from "./types.js";

/*
 * The statements an agent reply runs (and edits share), as final SQL text: every call of one
 * shape sends the same text, which the driver prepares once per connection and then runs in one
 * round trip. A drizzle query is re-built on every call and sent unnamed, which postgres.js runs
 * as two round trips (describe, then execute) when it has parameters.
 * Dates are sent as ISO text and JSON as text, cast in SQL: the drivers serialize Date and
 * jsonb parameters differently.
 */

/** Every `chat_messages` column, as `toMessageRow` reads them. */
export const messageColumns = `m.id, m.session_id, m.message_id, m.sender_type, m.sender_id, m.message_type, m.content,
  m.metadata, m.tokens_used, m.latency_ms, m.is_edited, m.edited_at, m.created_at, m.seq, m.event_seq,
  m.client_msg_id, m.status`;

const APPEND = `with bumped as (
  update chat_sessions set last_seq = last_seq + 1, updated_at = now()
  where session_id = $1 returning last_seq)
insert into chat_messages as m
  (session_id, message_id, sender_type, sender_id, message_type, content, metadata, status, seq, event_seq)
select $1, $2, $3, $4, $5, $6::text, $7::text::jsonb, $8, last_seq, last_seq
from bumped
returning ${messageColumns}`;

/**
 * An append without a client_msg_id (no resend to detect) as one statement: the CTE bumps the
 * session's counter, holding its row lock until the statement commits, so appends to one
 * session still get seqs 1..N in order with no gap. No row when the session is unknown.
 */
export function appendStatement(input: AppendMessageInput): Statement {
  return {
    text: APPEND,
    params: [
      input.sessionId,
      input.messageId ?? newMessageId(),
      input.senderType,
      input.senderId,
      input.messageType,
      input.content,
      input.metadata == null ? null : JSON.stringify(input.metadata),
      input.status ?? "complete",
    ],
  };
}

/** The columns of a {@link MessagePatch}, in a fixed order, with how each parameter is sent. */
const patchColumns: [keyof MessagePatch, string, string, (value: never) => unknown][] = [
  ["content", "content", "::text", (v: string | null) => v],
  ["status", "status", "::varchar", (v: string) => v],
  ["tokensUsed", "tokens_used", "::int", (v: number | null) => v],
  ["latencyMs", "latency_ms", "::int", (v: number | null) => v],
  ["metadata", "metadata", "::text::jsonb", (v: unknown) => (v == null ? null : JSON.stringify(v))],
  ["isEdited", "is_edited", "::boolean", (v: boolean) => v],
  ["editedAt", "edited_at", "::timestamptz", (v: Date | null) => v?.toISOString() ?? null],
];

const updateTexts = new Map<number, string>();

/**
 * `patch` applied as a new session event: the CTE takes the same session row lock as an append
 * (event seqs stay gap-free and ordered) and the message gets the new seq as its event_seq.
 * Only the keys present (not undefined) change. At most 128 texts (which keys are present),
 * each built once. No row when the message is unknown.
 */
export function updateAsEventStatement(messageId: string, patch: MessagePatch): Statement {
  const params: unknown[] = [messageId];
  let key = 0;
  for (const [i, [field, , , encode]] of patchColumns.entries()) {
    const value = patch[field];
    if (value === undefined) continue;
    key |= 1 << i;
    params.push(encode(value as never));
  }
  let text = updateTexts.get(key);
  if (text === undefined) {
    const sets = patchColumns
      .filter((_, i) => key & (1 << i))
      .map(([, column, cast], n) => `${column} = $${n + 2}${cast}, `)
      .join("");
    text = `with bumped as (
  update chat_sessions set last_seq = last_seq + 1, updated_at = now()
  where session_id = (select session_id from chat_messages where message_id = $1)
  returning last_seq)
update chat_messages m set ${sets}event_seq = bumped.last_seq
from bumped
where m.message_id = $1
returning ${messageColumns}`;
    updateTexts.set(key, text);
  }
  return { text, params };
}

/**
 * What an agent reply starts from, in one statement (one row, none when the session is
 * unknown): the session, the user message, the reply's row if an earlier delivery stored it,
 * and the sender and text of the `historyLimit` messages before the user message (all an agent
 * is given of them: full rows would cost several times as much to send and decode). Each comes
 * as one JSON value, so the three rows' same-named columns need no aliases;
 * `toMessageRow`/`toSessionRow` read them as they read columns (timestamps as text, numbers as
 * numbers).
 */
export function replyContextStatement(
  sessionId: string,
  userMessageId: string,
  replyMessageId: string,
  historyLimit: number,
): Statement {
  return {
    text: REPLY_CONTEXT,
    params: [sessionId, userMessageId, replyMessageId, historyLimit],
  };
}

const REPLY_CONTEXT = `select row_to_json(s) as session, row_to_json(u) as user_message, row_to_json(r) as reply,
  (select coalesce(json_agg(json_build_object('sender_type', h.sender_type, 'content', h.content) order by h.seq), '[]')
    from (
      select seq, sender_type, content from chat_messages m
      where m.session_id = s.session_id and m.seq < u.seq order by m.seq desc limit $4
    ) h) as history
from chat_sessions s
left join chat_messages u on u.message_id = $2
left join chat_messages r on r.message_id = $3
where s.session_id = $1`;
