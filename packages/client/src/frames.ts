import type { ServerFrame } from "@chat/protocol";

const KNOWN = new Set<string>([
  "ready",
  "message",
  "typing",
  "system",
  "stream_start",
  "stream_chunk",
  "stream_end",
  "error",
  "pong",
]);

const isInt = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
const isString = (value: unknown): value is string => typeof value === "string";

/**
 * A light check of an inbound frame: enough that the client's own logic (cursor, dedupe,
 * replies) can trust the fields it reads, without shipping zod to every browser. For full
 * validation pass `validate: (data) => serverFrame.parse(data)` (from @chat/protocol).
 */
export function checkServerFrame(data: unknown): ServerFrame | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const frame = data as Record<string, unknown>;
  if (!isString(frame.type) || !KNOWN.has(frame.type)) return undefined;
  switch (frame.type) {
    case "ready":
      if (!isInt(frame.last_seq) || !isString(frame.user_id)) return undefined;
      break;
    case "message":
      if (!isString(frame.message_id) || !isInt(frame.seq) || !isInt(frame.event_seq)) return undefined;
      break;
    case "stream_start":
      if (!isString(frame.message_id) || !isInt(frame.seq) || !isInt(frame.attempt)) return undefined;
      break;
    case "stream_chunk":
      if (!isString(frame.message_id) || !isString(frame.content) || !isInt(frame.index)) return undefined;
      break;
    case "stream_end":
      if (!isString(frame.message_id) || !isString(frame.finish_reason)) return undefined;
      break;
    case "typing":
      if (!isString(frame.user_id) || typeof frame.is_typing !== "boolean") return undefined;
      break;
    case "error":
      if (!isString(frame.code) || !isString(frame.message)) return undefined;
      break;
  }
  return frame as unknown as ServerFrame;
}
