import type {
  FinishReason,
  MessageFrame,
  MessageStatus,
  StreamChunkFrame,
  StreamEndFrame,
  StreamStartFrame,
} from "@chat/protocol";

/** An agent reply as the application shows it: its text grows with every chunk. */
export interface AgentReply {
  message_id: string;
  session_id: string;
  /** The agent's id (as a string, like every sender_id). */
  sender_id: string;
  /** The user message it answers, when known. */
  reply_to: string | undefined;
  /** The reply's position in the session. */
  seq: number;
  /** 1 on the first try; a new attempt starts the text again. */
  attempt: number;
  text: string;
  status: MessageStatus;
  finish_reason: FinishReason | undefined;
  tokens_used: number | null | undefined;
  latency_ms: number | null | undefined;
  /** Chunks appended in this attempt (the next expected `index`). */
  chunks: number;
  /** Some chunks were missed (a disconnect mid-stream): the text is fixed from the stored message. */
  missedChunks: boolean;
}

/** Finished replies kept for late frames; older ones are forgotten. */
const KEEP_FINISHED = 200;

/**
 * Builds replies from stream frames and stored messages. Chunks are applied by `index`, so a
 * chunk replayed after a reconnect is not appended twice; a higher `attempt` resets the text
 * (a worker took the job over); a stored message (recovery) carries the final text.
 */
export class ReplyAssembler {
  #replies = new Map<string, AgentReply>();

  get(messageId: string): AgentReply | undefined {
    return this.#replies.get(messageId);
  }

  start(frame: StreamStartFrame): AgentReply {
    const known = this.#replies.get(frame.message_id);
    if (known && known.attempt >= frame.attempt) return known;
    const reply: AgentReply = {
      message_id: frame.message_id,
      session_id: frame.session_id,
      sender_id: frame.sender_id,
      reply_to: frame.reply_to,
      seq: frame.seq,
      attempt: frame.attempt,
      text: "",
      status: "streaming",
      finish_reason: undefined,
      tokens_used: undefined,
      latency_ms: undefined,
      chunks: 0,
      missedChunks: false,
    };
    this.#set(reply);
    return reply;
  }

  /** Returns the reply when the chunk changed it, undefined for a duplicate or stale chunk. */
  chunk(frame: StreamChunkFrame): AgentReply | undefined {
    const reply = this.#replies.get(frame.message_id);
    if (reply?.status !== "streaming") return undefined;
    const attempt = frame.attempt ?? reply.attempt;
    if (attempt < reply.attempt) return undefined;
    if (attempt > reply.attempt) {
      reply.attempt = attempt;
      reply.text = "";
      reply.chunks = 0;
      reply.missedChunks = false;
    }
    if (frame.index < reply.chunks) return undefined;
    // A gap cannot be filled from chunks; the stored message replaces the text at the end.
    if (frame.index > reply.chunks) reply.missedChunks = true;
    reply.text += frame.content;
    reply.chunks = frame.index + 1;
    return reply;
  }

  end(frame: StreamEndFrame): AgentReply | undefined {
    const reply = this.#replies.get(frame.message_id);
    if (!reply) return undefined;
    if (frame.attempt !== undefined && frame.attempt < reply.attempt) return undefined;
    reply.finish_reason = frame.finish_reason;
    reply.status =
      frame.finish_reason === "stop" ? "complete" : frame.finish_reason === "cancelled" ? "cancelled" : "error";
    reply.tokens_used = frame.tokens_used;
    reply.latency_ms = frame.latency_ms;
    return reply;
  }

  /** A stored agent message (history or recovery): the text is the stored one. */
  fromMessage(frame: MessageFrame): AgentReply | undefined {
    if (frame.sender_type !== "agent") return undefined;
    const known = this.#replies.get(frame.message_id);
    const status = frame.status ?? "complete";
    const metadata = frame.metadata ?? {};
    const reply: AgentReply = known ?? {
      message_id: frame.message_id,
      session_id: frame.session_id,
      sender_id: frame.sender_id,
      reply_to: typeof metadata.reply_to === "string" ? metadata.reply_to : undefined,
      seq: frame.seq,
      attempt: typeof metadata.attempt === "number" ? metadata.attempt : 1,
      text: "",
      status,
      finish_reason: undefined,
      tokens_used: undefined,
      latency_ms: undefined,
      chunks: 0,
      missedChunks: false,
    };
    // While it streams, chunks keep arriving live: keep the longer of the two texts.
    const content = frame.content ?? "";
    if (status !== "streaming" || content.length >= reply.text.length) reply.text = content;
    if (status !== "streaming") reply.missedChunks = false;
    reply.status = status;
    if (status !== "streaming" && typeof metadata.finish_reason === "string") {
      reply.finish_reason = metadata.finish_reason as FinishReason;
    }
    this.#set(reply);
    return reply;
  }

  #set(reply: AgentReply): void {
    this.#replies.delete(reply.message_id);
    this.#replies.set(reply.message_id, reply);
    if (this.#replies.size <= KEEP_FINISHED) return;
    for (const [id, old] of this.#replies) {
      if (this.#replies.size <= KEEP_FINISHED) break;
      if (old.status !== "streaming") this.#replies.delete(id);
    }
  }
}

/** The stored event a live `stream_start` stands for (recovery replays it as this message). */
export function startedMessage(frame: StreamStartFrame): MessageFrame {
  return {
    type: "message",
    session_id: frame.session_id,
    message_id: frame.message_id,
    seq: frame.seq,
    event_seq: frame.seq,
    sender_type: "agent",
    sender_id: frame.sender_id,
    message_type: "stream",
    content: "",
    status: "streaming",
    timestamp: frame.timestamp,
  };
}

/** The stored event a live `stream_end` stands for: the finished reply. */
export function finishedMessage(frame: StreamEndFrame, reply: AgentReply, eventSeq: number): MessageFrame {
  return {
    type: "message",
    session_id: frame.session_id,
    message_id: frame.message_id,
    seq: reply.seq,
    event_seq: eventSeq,
    sender_type: "agent",
    sender_id: reply.sender_id,
    message_type: "stream",
    content: reply.text,
    status: reply.status,
    metadata: { reply_to: reply.reply_to, finish_reason: frame.finish_reason, attempt: reply.attempt },
    timestamp: new Date().toISOString(),
  };
}
