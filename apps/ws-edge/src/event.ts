import type { StreamChunkFrame } from "@chat/protocol";

/** A live event from the session channel, parsed once per edge (not once per socket). */
export interface LiveEvent {
  /** The raw JSON, sent as is unless it has to be merged. */
  payload: string;
  /**
   * `payload` as UTF-8, encoded once when a room releases the event to its sockets (rather than
   * by ws once per socket).
   */
  bytes?: Buffer;
  type: string;
  /**
   * The session event seq it reports, when it is a stored event: `event_seq` (message,
   * stream_end) or `seq` (stream_start, whose row is new). Chunks and errors have none.
   */
  seq: number | undefined;
  /** Set for `stream_chunk`: what coalescing and chunk dedupe need. */
  chunk: StreamChunkFrame | undefined;
  /** `message_id` of stream frames, to track which streams a socket has seen. */
  messageId: string | undefined;
  attempt: number | undefined;
}

/** Parses a session-channel payload; undefined for something that is not a JSON frame. */
export function parseLiveEvent(payload: string): LiveEvent | undefined {
  let frame: Record<string, unknown>;
  try {
    frame = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof frame !== "object" || frame === null || typeof frame.type !== "string") return undefined;
  const seq = frame.event_seq ?? frame.seq;
  return {
    payload,
    type: frame.type,
    seq: typeof seq === "number" ? seq : undefined,
    chunk: frame.type === "stream_chunk" ? (frame as unknown as StreamChunkFrame) : undefined,
    messageId: typeof frame.message_id === "string" ? frame.message_id : undefined,
    attempt: typeof frame.attempt === "number" ? frame.attempt : undefined,
  };
}
