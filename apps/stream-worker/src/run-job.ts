import { type AppendOptions, channels, keys, type Unsubscribe } from "@chat/bus";
import type { AgentJob, Logger } from "@chat/core";
import type { HistoryMessage, MessageRow } from "@chat/db";
import { ChatError, type ErrorFrame, type FinishReason, type ServerFrame } from "@chat/protocol";
import type { HistoryTurn, ReplyEvent } from "./agents/backend";
import { agentFailure } from "./agents/errors";
import { CancelAbort, watchCancel } from "./cancel-watch";
import { Coalescer } from "./coalescer";
import type { StreamWorkerDeps } from "./options";
import { AgentTimeout, Watchdog } from "./watchdog";

/** Thrown through the abort signal when the worker shuts down: the job is left for another. */
export class ShutdownAbort extends Error {
  override readonly name = "ShutdownAbort";
}

/**
 * Our own dependencies (Redis, PostgreSQL) failed under a reply, not the agent: the job is left
 * pending and retried once they answer again, instead of ending the reply with an error.
 */
class DependencyFailure extends Error {
  override readonly name = "DependencyFailure";
}

const dependency = <T>(promise: Promise<T>): Promise<T> =>
  promise.catch((error: unknown) => {
    throw new DependencyFailure("a dependency failed under the reply", { cause: error });
  });

export interface JobContext {
  deps: StreamWorkerDeps;
  /** Aborted with a ShutdownAbort when the worker stops. */
  shutdown: AbortSignal;
  /** Skip the agent and end the reply with this error (dead-lettered job). */
  giveUp?: ChatError;
}

/** Most earlier messages sent to the agent as context. */
const HISTORY_TURNS = 20;

/** The turns the agent gets as context: user and agent messages with text, oldest first. */
function historyTurns(messages: HistoryMessage[]): HistoryTurn[] {
  return messages
    .filter((m) => (m.senderType === "user" || m.senderType === "agent") && m.content)
    .map((m) => ({ role: m.senderType === "user" ? "user" : "assistant", content: m.content ?? "" }));
}

/** The stored row of the reply: the existing one (an earlier delivery made it) or a new one. */
async function replyRow(deps: StreamWorkerDeps, job: AgentJob, existing: MessageRow | undefined): Promise<MessageRow> {
  if (existing) return existing;
  const { message } = await deps.repo.appendMessage({
    sessionId: job.session_id,
    messageId: job.reply_message_id,
    senderType: "agent",
    senderId: String(job.agent_id),
    messageType: "stream",
    content: "",
    status: "streaming",
    metadata: { reply_to: job.user_message_id },
  });
  return message;
}

/**
 * Produce one agent reply: store the row (status streaming), publish stream_start, the chunks
 * and stream_end on the session channel and into the reply's buffer (for resume), store the
 * final text. Returns false when the job must stay pending (the worker is shutting down).
 */
export async function runJob(job: AgentJob, attempt: number, { deps, shutdown, giveUp }: JobContext): Promise<boolean> {
  const log = deps.logger.child({
    session_id: job.session_id,
    message_id: job.reply_message_id,
    trace_id: job.trace_id,
  });
  const abort = new AbortController();
  // Listening for a cancel starts at once, beside the lookups and the row insert, not after
  // them: time to first token is mostly sequential round trips.
  const cancelWatch = watchCancel(deps, job, abort);
  cancelWatch.catch(() => undefined); // handled where awaited
  try {
    return await produceReply(job, attempt, { deps, shutdown, giveUp }, abort, cancelWatch, log);
  } finally {
    await cancelWatch.then((unsubscribe) => unsubscribe()).catch(() => undefined);
  }
}

async function produceReply(
  job: AgentJob,
  attempt: number,
  { deps, shutdown, giveUp }: JobContext,
  abort: AbortController,
  cancelWatch: Promise<Unsubscribe>,
  log: Logger,
): Promise<boolean> {
  const { repo, bus } = deps;
  // One query for the lookups and the history: time to first token is mostly round trips.
  const {
    session,
    userMessage,
    reply: existing,
    history: earlier,
  } = await repo.getReplyContext(job.session_id, job.user_message_id, job.reply_message_id, giveUp ? 0 : HISTORY_TURNS);
  if (!session || session.status === "deleted" || !userMessage) {
    log.warn("job for a missing session or message dropped");
    return true;
  }
  if (existing && existing.status !== "streaming") return true; // finished by an earlier delivery
  // The agent is needed only after stream_start: look it up meanwhile.
  const agentLookup = giveUp ? Promise.resolve(undefined) : deps.agents.get(job.agent_id);
  // Handled where awaited; this keeps an early return from leaving an unhandled rejection.
  agentLookup.catch(() => undefined);
  const row = await replyRow(deps, job, existing);
  void bus.kv.del(keys.replyPending(job.reply_message_id)).catch(() => undefined);

  const channel = channels.session(job.session_id);
  const bufferKey = keys.streamBuffer(job.reply_message_id);
  // Every frame of the reply goes to the buffer too, so a resumer can replay it whole; one
  // script stores it there first and then publishes it, so no subscriber can see a chunk that
  // a resumer would not find.
  const emit = (frame: ServerFrame, options?: AppendOptions): Promise<unknown> =>
    dependency(bus.buffers.appendAndPublish(bufferKey, channel, JSON.stringify(frame), options));
  const base = { session_id: job.session_id, message_id: job.reply_message_id };

  // Ready long since, as a rule; a failure leaves the job for a retry, like a failed insert.
  await cancelWatch;
  const onShutdown = () => abort.abort(new ShutdownAbort("worker shutting down"));
  shutdown.addEventListener("abort", onShutdown, { once: true });

  const started = Date.now();
  let text = "";
  let index = 0;
  let tokensUsed: number | null = null;
  let firstTokenMs: number | null = null;
  let finishReason: FinishReason = "stop";
  let failure: ErrorFrame | undefined;
  const sendChunk = (piece: string) => {
    const chunk = { type: "stream_chunk" as const, ...base, content: piece, index, attempt };
    index += 1;
    return emit(chunk);
  };
  const coalescer = new Coalescer(sendChunk, deps.coalesce);
  const watchdog = new Watchdog(abort, deps.timeouts);
  try {
    await emit({
      type: "stream_start",
      ...base,
      seq: row.seq,
      sender_type: "agent",
      sender_id: String(job.agent_id),
      reply_to: job.user_message_id,
      attempt,
      timestamp: new Date().toISOString(),
    });
    if (giveUp) throw giveUp;
    abort.signal.throwIfAborted();
    const agent = await agentLookup;
    const backend = agent && deps.backends[agent.backend];
    if (!agent || !backend) throw new ChatError("AGENT_UNAVAILABLE", `No agent ${job.agent_id} or no backend for it`);
    const events: AsyncIterable<ReplyEvent> = backend({
      agent,
      sessionId: job.session_id,
      traceId: job.trace_id,
      prompt: userMessage.content ?? "",
      history: historyTurns(earlier),
      signal: abort.signal,
    });
    // The demo agent's chunks are the contract (STREAM_CHUNK_SIZE); real models get coalesced.
    const coalesce = agent.backend !== "demo";
    for await (const event of events) {
      if (event.type === "connected") {
        watchdog.connected();
        continue;
      }
      if (event.type === "usage") {
        tokensUsed = event.tokensUsed;
        continue;
      }
      if (event.text.length === 0) continue;
      watchdog.text();
      firstTokenMs ??= Date.now() - started;
      text += event.text;
      if (coalesce) coalescer.push(event.text);
      else await sendChunk(event.text);
    }
    await coalescer.finish();
    abort.signal.throwIfAborted();
  } catch (caught) {
    const reason: unknown = abort.signal.aborted ? abort.signal.reason : undefined;
    if (reason instanceof ShutdownAbort) {
      coalescer.discard();
      return false;
    }
    if (!reason && caught instanceof DependencyFailure) {
      // Left pending: another delivery (after claimIdleMs) continues the reply as a new attempt.
      coalescer.discard();
      throw caught.cause;
    }
    // What reached clients so far is what the stored partial text should be.
    await coalescer.finish().catch(() => undefined);
    if (reason instanceof CancelAbort) {
      finishReason = "cancelled";
    } else {
      finishReason = "error";
      const error =
        reason instanceof AgentTimeout
          ? new ChatError("AGENT_TIMEOUT", "The agent took too long to answer", { cause: reason })
          : agentFailure(caught, "The agent");
      log.error({ err: error.cause ?? error, code: error.code }, "agent reply failed");
      failure = { type: "error", code: error.code, message: error.message, ref: job.reply_message_id };
    }
  } finally {
    watchdog.stop();
    shutdown.removeEventListener("abort", onShutdown);
  }

  const latencyMs = Date.now() - started;
  deps.metrics?.streamReplies.inc({ finish_reason: finishReason });
  if (firstTokenMs !== null) deps.metrics?.streamTtft.observe(firstTokenMs / 1_000);
  // The finished reply is a session event of its own (stream_end carries its event_seq): a
  // client that was away when it ended gets the whole stored text on recovery.
  const finished = await repo.updateMessageAsEvent(job.reply_message_id, {
    content: text,
    status: finishReason === "stop" ? "complete" : finishReason === "cancelled" ? "cancelled" : "error",
    tokensUsed,
    latencyMs,
    metadata: {
      reply_to: job.user_message_id,
      finish_reason: finishReason,
      ttft_ms: firstTokenMs,
      attempt,
      ...(failure ? { error_code: failure.code } : {}),
    },
  });
  if (failure) await emit(failure);
  // The last frame leaves the buffer to late resumers for bufferTtlSeconds (its own expiry,
  // no separate EXPIRE).
  await emit(
    {
      type: "stream_end",
      ...base,
      tokens_used: tokensUsed,
      latency_ms: latencyMs,
      finish_reason: finishReason,
      attempt,
      ...(finished ? { event_seq: finished.eventSeq } : {}),
    },
    { ttlSeconds: deps.bufferTtlSeconds ?? 300 },
  );
  return true;
}
