import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import type { Database, Db } from "./client.js";
import { NotFoundError } from "./errors.js";
import { newMessageId } from "./ids.js";
import { messageQueries } from "./message-queries.js";
import { queryRows } from "./raw.js";
import { chatMessages, chatSessions } from "./schema.js";
import type { AppendMessageInput, MessageRow } from "./types.js";

export interface BatchingAppenderOptions {
  /** Most appends stored by one statement. @default 500 */
  maxBatch?: number;
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
 * together, across sessions, in one transaction (one WAL flush) of a few statements, whatever
 * the batch size. At low load a batch is whatever arrived in one turn of the event loop, so
 * nothing waits for a timer; under load batches grow by themselves.
 *
 * Same contract as `appendMessage`: per session, seqs are gap-free and follow call order (one
 * batch at a time, and inside it in order); a `client_msg_id` seen before (stored, or earlier
 * in the same batch) stores nothing and answers the stored message with `duplicate: true`.
 * Session rows are locked in session_id order, so two edges' batches cannot deadlock. If a
 * batch fails as a whole (one bad row), its appends are retried one by one, so only the bad one
 * fails.
 */
export function createBatchingAppender(database: Database, options: BatchingAppenderOptions = {}): BatchingAppender {
  const { db } = database;
  const single = messageQueries(db).appendMessage;
  const maxBatch = options.maxBatch ?? 500;
  const queue: Pending[] = [];
  let running: Promise<void> | undefined;
  let scheduled = false;

  const kick = () => {
    if (running || scheduled || queue.length === 0) return;
    scheduled = true;
    // One event-loop turn: appends made by the frames of this I/O batch join in.
    setImmediate(() => {
      scheduled = false;
      const batch = queue.splice(0, maxBatch);
      running = storeBatch(db, batch, single).finally(() => {
        running = undefined;
        kick();
      });
    });
  };

  return {
    append(input) {
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        kick();
      });
    },
    async close() {
      while (running || scheduled || queue.length > 0) {
        if (!running && !scheduled) kick();
        await (running ?? new Promise((resolve) => setImmediate(resolve)));
      }
    },
  };
}

const pairKey = (sessionId: string, clientMsgId: string) => `${sessionId}\n${clientMsgId}`;

async function storeBatch(
  db: Db,
  batch: Pending[],
  single: (input: AppendMessageInput) => Promise<AppendResult>,
): Promise<void> {
  let results: (AppendResult | Error)[];
  try {
    results = await db.transaction((tx) =>
      appendMany(
        tx as unknown as Db,
        batch.map((p) => p.input),
      ),
    );
  } catch {
    // One bad row fails the statement for all: give each its own answer.
    await Promise.all(
      batch.map(async (pending) => {
        try {
          pending.resolve(await single(pending.input));
        } catch (error) {
          pending.reject(error);
        }
      }),
    );
    return;
  }
  batch.forEach((pending, i) => {
    const result = results[i];
    if (result instanceof Error || result === undefined) pending.reject(result ?? new Error("no result"));
    else pending.resolve(result);
  });
}

/** The batch's statements, in one transaction. Results line up with `inputs`. */
async function appendMany(tx: Db, inputs: AppendMessageInput[]): Promise<(AppendResult | Error)[]> {
  const sessionIds = [...new Set(inputs.map((input) => input.sessionId))].sort();
  // Lock the sessions' rows in one order, held to commit: per-session seqs stay serial.
  const locked = await tx
    .select({ sessionId: chatSessions.sessionId })
    .from(chatSessions)
    .where(inArray(chatSessions.sessionId, sessionIds))
    .orderBy(asc(chatSessions.sessionId))
    .for("update");
  const existing = new Set(locked.map((row) => row.sessionId));

  // Resends: read after the locks, so a concurrent batch's commit is visible.
  const stored = new Map<string, MessageRow>();
  const withIds = inputs.filter((input) => input.clientMsgId != null && existing.has(input.sessionId));
  if (withIds.length > 0) {
    const rows = await tx
      .select()
      .from(chatMessages)
      .where(
        or(
          ...withIds.map((input) =>
            and(eq(chatMessages.sessionId, input.sessionId), eq(chatMessages.clientMsgId, input.clientMsgId as string)),
          ),
        ),
      );
    for (const row of rows) stored.set(pairKey(row.sessionId ?? "", row.clientMsgId ?? ""), row);
  }

  // Which inputs store a row, and which repeat an earlier one (stored or in this batch).
  const fresh: { index: number; input: AppendMessageInput; messageId: string }[] = [];
  const repeats = new Map<number, string>();
  const firstInBatch = new Map<string, string>();
  const perSession = new Map<string, number>();
  inputs.forEach((input, index) => {
    if (!existing.has(input.sessionId)) return;
    if (input.clientMsgId != null) {
      const key = pairKey(input.sessionId, input.clientMsgId);
      if (stored.has(key) || firstInBatch.has(key)) {
        repeats.set(index, key);
        return;
      }
      firstInBatch.set(key, key);
    }
    fresh.push({ index, input, messageId: input.messageId ?? newMessageId() });
    perSession.set(input.sessionId, (perSession.get(input.sessionId) ?? 0) + 1);
  });

  const inserted = new Map<number, MessageRow>();
  if (fresh.length > 0) {
    const counts = sql.join(
      [...perSession].map(([sessionId, n]) => sql`(${sessionId}::varchar, ${n}::int)`),
      sql`, `,
    );
    const bumped = await queryRows<{ session_id: string; last_seq: string | number }>(
      tx,
      sql`update chat_sessions as s set last_seq = s.last_seq + v.n, updated_at = now()
          from (values ${counts}) as v(session_id, n)
          where s.session_id = v.session_id
          returning s.session_id, s.last_seq`,
    );
    // Seqs of a session: last_seq - n + 1 .. last_seq, in input order.
    const next = new Map<string, number>();
    for (const row of bumped) {
      next.set(row.session_id, Number(row.last_seq) - (perSession.get(row.session_id) ?? 0) + 1);
    }
    const values = fresh.map(({ input, messageId }) => {
      const seq = next.get(input.sessionId) as number;
      next.set(input.sessionId, seq + 1);
      return {
        sessionId: input.sessionId,
        messageId,
        senderType: input.senderType,
        senderId: input.senderId,
        messageType: input.messageType,
        content: input.content,
        metadata: input.metadata ?? null,
        clientMsgId: input.clientMsgId ?? null,
        status: input.status ?? "complete",
        seq,
        eventSeq: seq,
      };
    });
    const rows = await tx.insert(chatMessages).values(values).returning();
    const byId = new Map(rows.map((row) => [row.messageId, row]));
    for (const { index, messageId, input } of fresh) {
      const row = byId.get(messageId) as MessageRow;
      inserted.set(index, row);
      if (input.clientMsgId != null) stored.set(pairKey(input.sessionId, input.clientMsgId), row);
    }
  }

  return inputs.map((input, index) => {
    if (!existing.has(input.sessionId)) return new NotFoundError("session", input.sessionId);
    const row = inserted.get(index);
    if (row) return { message: row, duplicate: false };
    const repeat = stored.get(repeats.get(index) ?? "");
    return repeat ? { message: repeat, duplicate: true } : new Error("batch: no row for an append");
  });
}
