import { type Bus, channels, keys } from "@chat/bus";
import type { ChatRepository, MessageRow } from "@chat/db";
import { type SseEvent, sseEvent } from "@chat/protocol";
import { errorPosition, formatPosition, isAfter, type Position, positionOf } from "./position";

export interface ReplyStreamOptions {
  bus: Bus;
  repo: ChatRepository;
  sessionId: string;
  messageId: string;
  /** The resumer's Last-Event-ID, parsed; undefined replays from the start. */
  after: Position | undefined;
  /** Writes one event with its id. */
  write: (id: string, event: SseEvent) => void;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

function parseFrame(data: string, messageId: string): SseEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const result = sseEvent.safeParse(json);
  if (!result.success) return undefined;
  const event = result.data;
  const about = event.type === "error" ? event.ref : event.message_id;
  return about === messageId ? event : undefined;
}

/** A finished reply whose buffer expired: its stored text as one attempt. */
function fromRow(row: MessageRow, after: Position | undefined): SseEvent[] {
  const meta = (row.metadata ?? {}) as Record<string, unknown>;
  const stored = typeof meta.attempt === "number" ? meta.attempt : 1;
  // A resumer that already holds part of an attempt gets the stored text as a newer attempt,
  // which replaces what it has instead of being skipped as already seen.
  const attempt = after ? Math.max(stored, after.attempt + 1) : stored;
  const finish = row.status === "complete" ? "stop" : row.status === "cancelled" ? "cancelled" : "error";
  const base = { session_id: row.sessionId ?? "", message_id: row.messageId };
  const events: SseEvent[] = [
    {
      type: "stream_start",
      ...base,
      seq: row.seq,
      sender_type: "agent",
      sender_id: row.senderId,
      reply_to: typeof meta.reply_to === "string" ? meta.reply_to : undefined,
      attempt,
      timestamp: (row.createdAt ?? new Date()).toISOString(),
    },
  ];
  if (row.content) events.push({ type: "stream_chunk", ...base, content: row.content, index: 0, attempt });
  events.push({
    type: "stream_end",
    ...base,
    tokens_used: row.tokensUsed ?? null,
    latency_ms: row.latencyMs ?? null,
    finish_reason: finish,
    attempt,
    event_seq: row.eventSeq,
  });
  return events;
}

/**
 * Streams one reply to one SSE client until its stream_end: subscribe to the session channel
 * first (holding live events), replay the reply's buffer, then release the held events, each
 * only if it comes after what was already written. Hence no gap and no duplicate, whether the
 * client comes at the start, mid-stream or after the end. Resolves when the reply ended or the
 * client left; a client leaving never stops the reply.
 */
export async function pipeReply(options: ReplyStreamOptions): Promise<void> {
  const { bus, repo, sessionId, messageId, write, signal } = options;
  let last = options.after;
  let attempt = last?.attempt ?? 1;
  let ended = false;
  let held: SseEvent[] | undefined = [];
  let wake: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    wake = resolve;
  });

  const deliver = (event: SseEvent) => {
    if (ended) return;
    if (event.type === "stream_start") attempt = event.attempt;
    const position = positionOf(event) ?? errorPosition(attempt);
    if (!isAfter(position, last)) return;
    last = position;
    write(formatPosition(position), event);
    if (event.type === "stream_end") {
      ended = true;
      wake();
    }
  };

  const unsubscribe = await bus.pubsub.subscribe(channels.session(sessionId), (payload) => {
    const event = parseFrame(payload, messageId);
    if (!event) return;
    if (held) held.push(event);
    else deliver(event);
  });
  const onAbort = () => wake();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const entries = await bus.buffers.read(keys.streamBuffer(messageId));
    for (const entry of entries) {
      const event = parseFrame(entry.data, messageId);
      if (event) deliver(event);
    }
    const live = held;
    held = undefined;
    for (const event of live) deliver(event);
    if (!ended) {
      // The buffer may have expired after the end: the stored row is the truth then.
      const row = await repo.getMessage(messageId);
      if (row && row.status !== "streaming") {
        const replay =
          entries.length === 0 ? fromRow(row, last) : fromRow(row, undefined).filter((e) => e.type === "stream_end");
        for (const event of replay) deliver(event);
      }
    }
    if (!ended && !signal.aborted) await finished;
  } finally {
    signal.removeEventListener("abort", onAbort);
    await unsubscribe();
  }
}
