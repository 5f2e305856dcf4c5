import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createParser, type ParseError } from "eventsource-parser";

/** One Server-Sent Event: its `event:` name (default "message") and joined `data:` lines. */
export interface SseMessage {
  event: string;
  data: string;
}

/** Events parsed but not yet taken past which the body is paused. */
const HIGH_WATER = 256;

/**
 * The events of a text/event-stream body (a node stream, e.g. undici's response body), parsed
 * by eventsource-parser as the HTML spec says: LF, CRLF or CR line ends, `data:` lines of one
 * event joined with "\n", comments skipped, an event ended by a blank line (an unfinished one at
 * the end of the body is dropped). `maxBufferChars` bounds what is held between reads (an
 * unfinished line or event) against a server that never ends one.
 *
 * The body is read with 'data' events and parsed as it arrives, rather than through the
 * stream's async iterator: a model streams hundreds of tiny events a second per reply, and the
 * iterator's promises per read cost more than the parsing. Leaving the loop early leaves the
 * body to the caller (destroy it to close the connection, or let it flow to its end); an
 * 'error' listener stays on it either way.
 */
export async function* parseSse(
  body: Readable,
  maxBufferChars = 1_048_576,
): AsyncGenerator<SseMessage, void, undefined> {
  let ready: SseMessage[] = [];
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const parser = createParser({
    maxBufferSize: maxBufferChars,
    onEvent: ({ event, data }) => void ready.push({ event: event ?? "message", data }),
    onError: (error: ParseError) => {
      // Unknown fields and bad `retry:` values are ignored, as browsers do.
      if (error.type === "max-buffer-size-exceeded") failure ??= new Error("SSE event too large", { cause: error });
    },
  });
  // Joins a multi-byte character split across reads. Not `body.setEncoding()`: undici's body
  // ignores it.
  const decoder = new StringDecoder("utf8");
  const onData = (bytes: Buffer) => {
    if (failure !== undefined) return;
    parser.feed(decoder.write(bytes));
    if (ready.length >= HIGH_WATER) body.pause();
    wake?.();
  };
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  const onError = (error: unknown) => {
    failure ??= error;
    wake?.();
  };
  body.on("data", onData).on("end", onEnd).on("error", onError);
  try {
    for (;;) {
      if (ready.length > 0) {
        const events = ready;
        ready = [];
        if (body.isPaused()) body.resume();
        yield* events;
      } else if (failure !== undefined) {
        throw failure;
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
  } finally {
    body.off("data", onData).off("end", onEnd).off("error", onError);
    body.on("error", () => undefined);
  }
}
