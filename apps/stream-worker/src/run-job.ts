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
    return await produceReply({ job, attempt, context: { deps, shutdown, giveUp }, abort, cancelWatch, log });
  } finally {
    await cancelWatch.then((unsubscribe) => unsubscribe()).catch(() => undefined);
  }
}

/** One delivery of a job, as {@link runJob} set it up. */
interface Delivery {
  job: AgentJob;
  attempt: number;
  context: JobContext;
  abort: AbortController;
  /** Resolves once a cancel of the reply is listened for. */
  cancelWatch: Promise<Unsubscribe>;
  log: Logger;
}

async function produceReply(delivery: Delivery): Promise<boolean> {
  const {
    job,
    abort,
    log,
    context: { deps, giveUp },
  } = delivery;
  const { repo } = deps;
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
  // The agent is called at once, beside the row insert and stream_start: its events are read
  // only once stream_start went out (so the frames keep their order), but the request is on
  // its way two round trips earlier, which is that much less time to first token.
  const call = giveUp ? undefined : callAgent(deps, job, userMessage.content ?? "", earlier, abort.signal);
  try {
    return await streamReply(delivery, existing, call);
  } finally {
    // However the reply ended, its agent call is over: one still running (the reply failed
    // before reading it to its end) is aborted, which closes its connection.
    abort.abort(new ReplyEnded("reply ended"));
  }
}

/** Thrown through the abort signal once the reply ended, to end an agent call still running. */
class ReplyEnded extends Error {
  override readonly name = "ReplyEnded";
}

interface AgentCall {
  /** The backend's events; the first one is already asked for. */
  events: AsyncIterator<ReplyEvent>;
  first: Promise<IteratorResult<ReplyEvent>>;
  /** The demo agent's chunks are the contract (STREAM_CHUNK_SIZE); real models get coalesced. */
  coalesce: boolean;
}

/** Looks the agent up and starts its call (asks for the first event). Rejections are handled where awaited. */
function callAgent(
  deps: StreamWorkerDeps,
  job: AgentJob,
  prompt: string,
  earlier: HistoryMessage[],
  signal: AbortSignal,
): Promise<AgentCall> {
  const call = Promise.resolve(deps.agents.get(job.agent_id)).then((agent) => {
    const backend = agent && deps.backends[agent.backend];
    if (!agent || !backend) throw new ChatError("AGENT_UNAVAILABLE", `No agent ${job.agent_id} or no backend for it`);
    const events = backend({
      agent,
      sessionId: job.session_id,
      traceId: job.trace_id,
      prompt,
      history: historyTurns(earlier),
      signal,
    })[Symbol.asyncIterator]();
    const first = events.next();
    first.catch(() => undefined);
    return { events, first, coalesce: agent.backend !== "demo" };
  });
  call.catch(() => undefined);
  return call;
}

async function streamReply(
  { job, attempt, context: { deps, shutdown, giveUp }, abort, cancelWatch, log }: Delivery,
  existing: MessageRow | undefined,
  call: Promise<AgentCall> | undefined,
): Promise<boolean> {
  const { repo, bus } = deps;
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
  // The agent call is already running: a shutdown that came meanwhile stops it too.
  if (shutdown.aborted) onShutdown();

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
    if (giveUp || !call) throw giveUp ?? new Error("no agent call");
    abort.signal.throwIfAborted();
    const { events, first, coalesce } = await call;
    let done = false;
    try {
      for (let result = await first; !result.done; result = await events.next()) {
        const event = result.value;
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
      done = true;
    } finally {
      // Leaving early, as for await would: the backend's own cleanup runs (its connection closes).
      if (!done) void events.return?.().catch(() => undefined);
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
