import { and, eq, or } from "drizzle-orm";
import { type Database, type Db, statementRunner } from "./client.js";
import { NotFoundError } from "./errors.js";
import { newMessageId } from "./ids.js";
import { messageQueries } from "./message-queries.js";
import { openStatementRunner, type StatementRunner, toMessageRow } from "./raw.js";
import { chatMessages } from "./schema.js";
import type { AppendMessageInput, MessageRow } from "./types.js";

export interface BatchingAppenderOptions {
  /** Most appends stored by one statement. @default 500 */
  maxBatch?: number;
  /**
   * Batches being stored at once (each holds a pool connection). More than one lets a batch go
   * while the previous one waits for its WAL flush. @default 2
   */
  maxInFlight?: number;
  /**
   * How long the first append of a batch waits for others to join it, in ms. Each batch costs
   * PostgreSQL a commit (a WAL flush) whatever its size, so at a modest rate, where batches
   * would otherwise be of one, a short wait divides that cost among the appends of every
   * session. The wait is taken only while traffic flows (the previous batch went less than
   * `windowMs` ago): a lone message after a quiet spell has nobody to share with and goes at
   * once. A batch of `windowFill`, or an `urgent` append, goes at once too. 0: whatever arrived
   * in one turn of the event loop. @default 0
   */
  windowMs?: number;
  /**
   * A batch this large goes without waiting out `windowMs`: under load batches fill quickly
   * and the window costs no latency. @default 8
   */
  windowFill?: number;
  /** Told the size of each batch as it is sent (metrics). */
  onBatch?: (size: number) => void;
}

type AppendResult = { message: MessageRow; duplicate: boolean };

interface Pending {
  input: AppendMessageInput;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** `appendMessage` with group commit, plus a `close()` that waits for what is queued. */
export interface BatchingAppender {
  append(input: AppendMessageInput): Promise<AppendResult>;
  close(): Promise<void>;
}

/**
 * Group commit for `appendMessage`: appends made while a batch is being stored wait and then go
 * together, across sessions, in one statement (one WAL flush), whatever the batch size. Under
 * load batches grow by themselves; at low load a batch is whatever arrived in one turn of the
 * event loop, or within `windowMs` of its first append when that is set.
 *
 * Same contract as `appendMessage`: per session, seqs are gap-free and follow call order (calls
 * made one after another, like the frames of one socket, keep their order even across
 * batches; calls of one batch are stored in call order); a `client_msg_id` seen before (stored,
 * or earlier in the same batch) stores nothing and answers the stored message with
 * `duplicate: true`. Session rows are locked in session_id order, so batches in flight at once
 * (here or on another edge) cannot deadlock. If a
 * batch fails as a whole (one bad row), its appends are retried one by one, so only the bad one
 * fails.
 */
export function createBatchingAppender(database: Database, options: BatchingAppenderOptions = {}): BatchingAppender {
  const { db } = database;
  const single = messageQueries(db, statementRunner(database)).appendMessage;
  const maxBatch = options.maxBatch ?? 500;
  const maxInFlight = options.maxInFlight ?? 2;
  const queue: Pending[] = [];
  const running = new Set<Promise<void>>();
  let scheduled = false;

  // A batch holds one connection while it is stored.
  const runner = openStatementRunner(database, maxInFlight);
  const windowMs = options.windowMs ?? 0;
  const windowFill = Math.min(options.windowFill ?? 8, maxBatch);
  let timer: NodeJS.Timeout | undefined;
  let lastSent = Number.NEGATIVE_INFINITY;
  let urgentQueued = false;

  const send = () => {
    scheduled = false;
    clearTimeout(timer);
    timer = undefined;
    const batch = queue.splice(0, maxBatch);
    urgentQueued = queue.some((p) => p.input.urgent);
    if (batch.length === 0) return;
    lastSent = performance.now();
    options.onBatch?.(batch.length);
    const run: Promise<void> = storeBatch(runner, db, batch, single).finally(() => {
      running.delete(run);
      kick();
    });
    running.add(run);
    kick();
  };

  const kick = () => {
    if (running.size >= maxInFlight || queue.length === 0) return;
    const waitOut = queue.length < windowFill && !urgentQueued;
    if (scheduled) {
      // A batch big enough, or one someone waits on, does not wait out the window.
      if (timer && !waitOut) send();
      return;
    }
    scheduled = true;
    // At least one event-loop turn: appends made by the frames of this I/O batch join in.
    const flowing = performance.now() - lastSent < windowMs;
    if (windowMs > 0 && waitOut && flowing) timer = setTimeout(send, windowMs);
    else setImmediate(send);
  };

  return {
    append(input) {
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        if (input.urgent) urgentQueued = true;
        kick();
      });
    },
    async close() {
      // What is queued goes now rather than at the end of its window.
      if (timer) send();
      while (running.size > 0 || scheduled || queue.length > 0) {
        kick();
        await (running.size > 0 ? Promise.race(running) : new Promise((resolve) => setImmediate(resolve)));
      }
      await runner.close();
    },
  };
}

const pairKey = (sessionId: string, clientMsgId: string) => `${sessionId}\n${clientMsgId}`;

async function storeBatch(
  runner: StatementRunner,
  db: Db,
  batch: Pending[],
  single: (input: AppendMessageInput) => Promise<AppendResult>,
): Promise<void> {
  let results: (AppendResult | Error)[];
  try {
    // No BEGIN/COMMIT around it: the INSERT is its own transaction (one round trip instead of
    // three), and the lookup of resends that may follow only reads committed rows.
    results = await appendMany(
      runner,
      db,
      batch.map((p) => p.input),
    );
  } catch {
    // One bad row fails the statement for all: give each its own answer, in call order.
    for (const pending of batch) {
      try {
        pending.resolve(await single(pending.input));
      } catch (error) {
        pending.reject(error);
      }
    }
    return;
  }
  batch.forEach((pending, i) => {
    const result = results[i];
    if (result instanceof Error || result === undefined) pending.reject(result ?? new Error("no result"));
    else pending.resolve(result);
  });
}

/**
 * What the append statements send back: what PostgreSQL made (id, seqs, created_at) and the
 * metadata as jsonb normalized it; every other column is what the edge sent, so it is not sent
 * back (a long message's text would travel twice and be decoded again).
 */
const APPENDED_COLUMNS = "id, message_id, metadata, created_at, seq, event_seq";

/**
 * The batch as {@link appendMany} first tries it: no resend check, so no probe of
 * chat_messages and no ranking in SQL. Each row comes with its ordinal among the batch's rows
 * of its session, and each session with its count (`$11`, `$12`, sessions in session_id
 * order), both counted here. A resend in the batch makes the INSERT hit the unique
 * (session_id, client_msg_id) constraint: the statement fails, nothing is stored, and the batch
 * goes again as {@link APPEND_MANY}, which checks. Resends are rare (a client retrying after a
 * lost acknowledgement), so most batches cost only this statement, whose PostgreSQL CPU does not
 * grow with the session's length (measured: APPEND_MANY's did, by its probe's plan).
 */
export const APPEND_FAST = `
  with r as (
    select u.ordinal, u.session_id, u.message_id, u.sender_type, u.sender_id, u.message_type, u.content,
      u.metadata::jsonb as metadata, u.client_msg_id, u.status
    from unnest($1::int[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[],
      $7::text[], $8::text[], $9::varchar[], $10::varchar[])
      as u(ordinal, session_id, message_id, sender_type, sender_id, message_type, content, metadata, client_msg_id, status)
  ),
  locked as materialized (
    select s.session_id from chat_sessions s
    where s.session_id = any($11::varchar[])
    order by s.session_id
    for no key update
  ),
  bumped as (
    update chat_sessions s set last_seq = s.last_seq + v.n, updated_at = now()
    from unnest($11::varchar[], $12::int[]) as v(session_id, n)
    where s.session_id = v.session_id and s.session_id in (select session_id from locked)
    returning s.session_id, s.last_seq, v.n
  )
  insert into chat_messages
    (session_id, message_id, sender_type, sender_id, message_type, content, metadata, client_msg_id, status, seq, event_seq)
  select r.session_id, r.message_id, r.sender_type, r.sender_id, r.message_type, r.content, r.metadata,
    r.client_msg_id, r.status, b.last_seq - b.n + r.ordinal, b.last_seq - b.n + r.ordinal
  from r join bumped b on b.session_id = r.session_id
  returning ${APPENDED_COLUMNS}`;

/**
 * The statement of {@link appendMany} for a batch that holds a resend (after {@link APPEND_FAST}
 * hit the unique constraint): it leaves out the rows already stored and numbers the others. The
 * rows come as one array per column, so its text is the same whatever the batch size and it is
 * prepared (parsed and planned) once per connection.
 */
export const APPEND_MANY = `
  with r as (
    -- metadata comes as JSON text: drivers serialize jsonb[] elements differently.
    select u.idx, u.session_id, u.message_id, u.sender_type, u.sender_id, u.message_type, u.content,
      u.metadata::jsonb as metadata, u.client_msg_id, u.status
    from unnest($1::int[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[],
      $7::text[], $8::text[], $9::varchar[], $10::varchar[])
      as u(idx, session_id, message_id, sender_type, sender_id, message_type, content, metadata, client_msg_id, status)
  ),
  fresh as (
    select r.*, row_number() over (partition by r.session_id order by r.idx) as ordinal
    from r
    -- A null client_msg_id matches nothing, so it is never a resend. (No "is null or": with
    -- it the planner may hash the whole of chat_messages instead of probing the unique index.)
    where not exists (
      select 1 from chat_messages m where m.session_id = r.session_id and m.client_msg_id = r.client_msg_id
    )
  ),
  v as (select session_id, count(*) as n from fresh group by session_id),
  locked as materialized (
    select s.session_id from chat_sessions s
    where s.session_id in (select session_id from v)
    order by s.session_id
    for no key update
  ),
  bumped as (
    update chat_sessions s set last_seq = s.last_seq + v.n, updated_at = now()
    from v
    where s.session_id = v.session_id and s.session_id in (select session_id from locked)
    returning s.session_id, s.last_seq, v.n
  )
  insert into chat_messages
    (session_id, message_id, sender_type, sender_id, message_type, content, metadata, client_msg_id, status, seq, event_seq)
  select f.session_id, f.message_id, f.sender_type, f.sender_id, f.message_type, f.content, f.metadata,
    f.client_msg_id, f.status, b.last_seq - b.n + f.ordinal, b.last_seq - b.n + f.ordinal
  from fresh f join bumped b on b.session_id = f.session_id
  returning ${APPENDED_COLUMNS}`;

/**
 * The batch as one INSERT that bumps every session's counter and stores every row (an
 * implicit transaction: one round trip, one WAL flush): {@link APPEND_FAST}, or, when that hits
 * a resend, {@link APPEND_MANY}, which skips resends. Only when something was not stored (a
 * resend, a missing session) does a further query find out which. Results line up with
 * `inputs`.
 *
 * Locks (both statements): `locked` (MATERIALIZED, so it runs as written) takes the session rows FOR NO KEY
 * UPDATE in session_id order before `bumped` touches them, so concurrent batches on overlapping
 * sessions queue instead of deadlocking. NO KEY UPDATE is the lock `bumped` takes anyway; FOR
 * UPDATE would conflict with the KEY SHARE lock of the chat_messages foreign key check and
 * cost a MultiXact per session row (measured: PostgreSQL CPU per batch about 2×). The resend check reads the statement's snapshot, taken before
 * the locks: a resend racing its original from another edge then hits the unique
 * (session_id, client_msg_id) constraint, the statement fails, and the one-by-one retry
 * answers it properly.
 */
async function appendMany(
  runner: StatementRunner,
  db: Db,
  inputs: AppendMessageInput[],
): Promise<(AppendResult | Error)[]> {
  // Repeats of an earlier input of this batch are answered with that input's row.
  const candidates: { index: number; input: AppendMessageInput; messageId: string }[] = [];
  const firstOf = new Map<string, number>();
  const repeatOf = new Map<number, number>();
  inputs.forEach((input, index) => {
    if (input.clientMsgId != null) {
      const key = pairKey(input.sessionId, input.clientMsgId);
      const first = firstOf.get(key);
      if (first !== undefined) {
        repeatOf.set(index, first);
        return;
      }
      firstOf.set(key, index);
    }
    candidates.push({ index, input, messageId: input.messageId ?? newMessageId() });
  });

  const column = <T>(pick: (c: (typeof candidates)[number]) => T) => candidates.map(pick);
  const rows = [
    column((c) => c.input.sessionId),
    column((c) => c.messageId),
    column((c) => c.input.senderType),
    column((c) => c.input.senderId),
    column((c) => c.input.messageType),
    column((c) => c.input.content),
    column((c) => (c.input.metadata == null ? null : JSON.stringify(c.input.metadata))),
    column((c) => c.input.clientMsgId ?? null),
    column((c) => c.input.status ?? "complete"),
  ];
  let result: Record<string, unknown>[];
  try {
    const counts = new Map<string, number>();
    const ordinals = candidates.map(({ input }) => {
      const ordinal = (counts.get(input.sessionId) ?? 0) + 1;
      counts.set(input.sessionId, ordinal);
      return ordinal;
    });
    const sessions = [...counts.keys()].sort();
    result = await runner.run({
      text: APPEND_FAST,
      params: [ordinals, ...rows, sessions, sessions.map((id) => counts.get(id))],
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A resend (or a message id taken): the statement that checks for resends.
    result = await runner.run({ text: APPEND_MANY, params: [column((c) => c.index), ...rows] });
  }
  const byId = new Map(result.map((raw) => [raw.message_id as string, raw]));
  const results: (AppendResult | Error | undefined)[] = new Array(inputs.length);
  const resends: { index: number; input: AppendMessageInput }[] = [];
  for (const { index, input, messageId } of candidates) {
    const stored = byId.get(messageId);
    if (stored) results[index] = { message: appendedRow(input, stored), duplicate: false };
    else if (input.clientMsgId != null) resends.push({ index, input });
    else results[index] = new NotFoundError("session", input.sessionId);
  }
  if (resends.length > 0) {
    const stored = await db
      .select()
      .from(chatMessages)
      .where(
        or(
          ...resends.map(({ input }) =>
            and(eq(chatMessages.sessionId, input.sessionId), eq(chatMessages.clientMsgId, input.clientMsgId as string)),
          ),
        ),
      );
    const byKey = new Map(stored.map((row) => [pairKey(row.sessionId ?? "", row.clientMsgId ?? ""), row]));
    for (const { index, input } of resends) {
      const row = byKey.get(pairKey(input.sessionId, input.clientMsgId as string));
      results[index] = row ? { message: row, duplicate: true } : new NotFoundError("session", input.sessionId);
    }
  }
  for (const [index, first] of repeatOf) {
    const original = results[first];
    results[index] = original instanceof Error || original === undefined ? original : { ...original, duplicate: true };
  }
  return results.map((r) => r ?? new Error("batch: no result for an append"));
}

/** A stored append as a full row: the input's columns with what PostgreSQL returned ({@link APPENDED_COLUMNS}). */
function appendedRow(input: AppendMessageInput, stored: Record<string, unknown>): MessageRow {
  return toMessageRow({
    ...stored,
    session_id: input.sessionId,
    sender_type: input.senderType,
    sender_id: input.senderId,
    message_type: input.messageType,
    content: input.content,
    tokens_used: null,
    latency_ms: null,
    is_edited: false,
    edited_at: null,
    client_msg_id: input.clientMsgId ?? null,
    status: input.status ?? "complete",
  });
}

/** PostgreSQL's unique_violation (SQLSTATE 23505), from either driver, however wrapped. */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
