import type { SseEvent } from "@chat/protocol";
import { backoffDelay } from "./backoff";
import { errorOf } from "./http";

/** One server-sent event. */
export interface RawSseEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/** Parses a `text/event-stream` body (the WHATWG rules: fields, comments, blank-line dispatch). */
export async function* parseEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<RawSseEvent> {
  const reader = body
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .getReader();
  let buffer = "";
  let data: string[] = [];
  let id: string | undefined;
  let event: string | undefined;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (data.length > 0) yield { id, event, data: data.join("\n") };
          data = [];
          event = undefined;
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "data") data.push(value);
          else if (field === "id") id = value;
          else if (field === "event") event = value;
        }
        newline = buffer.search(/\r\n|\r|\n/);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export interface StreamReplyOptions {
  /** Resume attempts after the connection drops mid-reply. @default 5 */
  maxResumes?: number;
  signal?: AbortSignal;
}

/**
 * The SSE alternative to WebSocket: yields the reply's `stream_start`, `stream_chunk`s and
 * `stream_end`. When the connection drops before `stream_end`, it resumes from the message's
 * stream URL with `Last-Event-ID`, so no chunk is lost or repeated.
 */
export async function* streamReply(
  open: (lastEventId: string | undefined, messageId: string | undefined) => Promise<Response>,
  options: StreamReplyOptions = {},
): AsyncGenerator<SseEvent> {
  let lastEventId: string | undefined;
  let messageId: string | undefined;
  let resumes = 0;
  for (;;) {
    let ended = false;
    try {
      const res = await open(lastEventId, messageId);
      if (!res.ok) throw await errorOf(res);
      if (!res.body) throw new Error("SSE answer without a body");
      for await (const raw of parseEventStream(res.body)) {
        if (raw.id !== undefined) lastEventId = raw.id;
        let frame: SseEvent;
        try {
          frame = JSON.parse(raw.data) as SseEvent;
        } catch {
          continue;
        }
        if (typeof frame.type !== "string" && raw.event) (frame as { type: string }).type = raw.event;
        if ("message_id" in frame && typeof frame.message_id === "string") messageId = frame.message_id;
        yield frame;
        if (frame.type === "stream_end") {
          ended = true;
          return;
        }
      }
    } catch (error) {
      if (options.signal?.aborted || messageId === undefined || (error as { status?: number }).status) throw error;
    }
    if (ended) return;
    if (messageId === undefined || resumes >= (options.maxResumes ?? 5)) {
      throw new Error("The reply stream ended before stream_end");
    }
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(resumes++, { initialMs: 200, maxMs: 5_000 })));
  }
}
