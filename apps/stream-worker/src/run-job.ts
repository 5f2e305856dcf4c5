import { channels, keys } from "@chat/bus";
import { type AgentJob, controlMessageSchema } from "@chat/core";
import type { MessageRow } from "@chat/db";
import type { ErrorFrame, FinishReason, ServerFrame } from "@chat/protocol";
import type { HistoryTurn } from "./agents/backend";
import type { StreamWorkerDeps } from "./options";

/** Thrown through the abort signal when the worker shuts down: the job is left for another. */
export class ShutdownAbort extends Error {
  override readonly name = "ShutdownAbort";
}

export interface JobContext {
  deps: StreamWorkerDeps;
  /** Aborted with a ShutdownAbort when the worker stops. */
  shutdown: AbortSignal;
}

/** Most earlier messages sent to the agent as context. */
const HISTORY_TURNS = 20;

async function historyBefore(deps: StreamWorkerDeps, sessionId: string, userSeq: number): Promise<HistoryTurn[]> {
  const { messages } = await deps.repo.pageMessages(sessionId, { beforeSeq: userSeq, limit: HISTORY_TURNS });
  return messages
    .filter((m) => (m.senderType === "user" || m.senderType === "agent") && m.content)
    .map((m) => ({ role: m.senderType === "user" ? "user" : "assistant", content: m.content ?? "" }));
}

/**
 * Produce one agent reply: store the row (status streaming), publish stream_start, the chunks
 * and stream_end, buffer the chunks for resume, store the final text. Returns false when the
 * job must stay pending (the worker is shutting down).
 */
export async function runJob(job: AgentJob, attempt: number, { deps, shutdown }: JobContext): Promise<boolean> {
  const { repo, bus, logger } = deps;
  const log = logger.child({ session_id: job.session_id, message_id: job.reply_message_id, trace_id: job.trace_id });
  const session = await repo.getSession(job.session_id);
  const userMessage = await repo.getMessage(job.user_message_id);
  if (!session || session.status === "deleted" || !userMessage) {
    log.warn("job for a missing session or message dropped");
    return true;
  }
  let row: MessageRow | undefined = await repo.getMessage(job.reply_message_id);
  if (row && row.status !== "streaming") return true; // finished by an earlier delivery
  row ??= (
    await repo.appendMessage({
      sessionId: job.session_id,
      messageId: job.reply_message_id,
      senderType: "agent",
      senderId: String(job.agent_id),
      messageType: "stream",
      content: "",
      status: "streaming",
      metadata: { reply_to: job.user_message_id },
    })
  ).message;

  const channel = channels.session(job.session_id);
  const publish = (frame: ServerFrame) => bus.pubsub.publish(channel, JSON.stringify(frame));
  const bufferKey = keys.streamBuffer(job.reply_message_id);
  const base = { session_id: job.session_id, message_id: job.reply_message_id };

  const abort = new AbortController();
  const onShutdown = () => abort.abort(new ShutdownAbort("worker shutting down"));
  shutdown.addEventListener("abort", onShutdown, { once: true });
  const unsubscribe = await bus.pubsub.subscribe(channels.control(job.reply_message_id), (payload) => {
    let parsed: ReturnType<typeof controlMessageSchema.safeParse>;
    try {
      parsed = controlMessageSchema.safeParse(JSON.parse(payload));
    } catch {
      return;
    }
    if (parsed.success) abort.abort(new Error(`cancelled by ${parsed.data.by}`));
  });

  const started = Date.now();
  let text = "";
  let index = 0;
  let tokensUsed: number | null = null;
  let firstTokenMs: number | null = null;
  let finishReason: FinishReason = "stop";
  let failure: ErrorFrame | undefined;
  try {
    await publish({
      type: "stream_start",
      ...base,
      seq: row.seq,
      sender_type: "agent",
      sender_id: String(job.agent_id),
      reply_to: job.user_message_id,
      attempt,
      timestamp: new Date().toISOString(),
    });
    const agent = await deps.agents.get(job.agent_id);
    const backend = agent && deps.backends[agent.framework];
    if (!agent || !backend) throw new Error(`No backend for agent ${job.agent_id}`);
    const history = await historyBefore(deps, job.session_id, userMessage.seq);
    const events = backend({
      agent,
      sessionId: job.session_id,
      traceId: job.trace_id,
      prompt: userMessage.content ?? "",
      history,
      signal: abort.signal,
    });
    for await (const event of events) {
      if (event.type === "usage") {
        tokensUsed = event.tokensUsed;
        continue;
      }
      if (event.text.length === 0) continue;
      firstTokenMs ??= Date.now() - started;
      const chunk = { type: "stream_chunk" as const, ...base, content: event.text, index, attempt };
      index += 1;
      text += event.text;
      const data = JSON.stringify(chunk);
      await Promise.all([bus.pubsub.publish(channel, data), bus.buffers.append(bufferKey, data)]);
    }
  } catch (error) {
    if (abort.signal.reason instanceof ShutdownAbort) return false;
    if (abort.signal.aborted) {
      finishReason = "cancelled";
    } else {
      finishReason = "error";
      log.error({ err: error }, "agent reply failed");
      failure = {
        type: "error",
        code: "AGENT_ERROR",
        message: "The agent could not answer",
        ref: job.reply_message_id,
      };
    }
  } finally {
    shutdown.removeEventListener("abort", onShutdown);
    await unsubscribe();
  }

  const latencyMs = Date.now() - started;
  // The finished reply is a session event of its own (stream_end carries its event_seq): a
  // client that was away when it ended gets the whole stored text on recovery.
  const finished = await repo.updateMessageAsEvent(job.reply_message_id, {
    content: text,
    status: finishReason === "stop" ? "complete" : finishReason === "cancelled" ? "cancelled" : "error",
    tokensUsed,
    latencyMs,
    metadata: { reply_to: job.user_message_id, finish_reason: finishReason, ttft_ms: firstTokenMs, attempt },
  });
  if (failure) await publish(failure);
  await publish({
    type: "stream_end",
    ...base,
    tokens_used: tokensUsed,
    latency_ms: latencyMs,
    finish_reason: finishReason,
    attempt,
    ...(finished ? { event_seq: finished.eventSeq } : {}),
  });
  await bus.buffers.expire(bufferKey, deps.bufferTtlSeconds ?? 300);
  return true;
}
