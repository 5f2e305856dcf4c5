import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createParser, type ParseError } from "eventsource-parser";

/** One Server-Sent Event: its `event:` name (default "message") and joined `data:` lines. */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * The events of a text/event-stream body (a node stream, e.g. undici's response body), parsed
 * by eventsource-parser as the HTML spec says: LF, CRLF or CR line ends, `data:` lines of one
 * event joined with "\n", comments skipped, an event ended by a blank line (an unfinished one at
 * the end of the body is dropped). `maxBufferChars` bounds what is held between reads (an
 * unfinished line or event) against a server that never ends one.
 */
export async function* parseSse(
  body: Readable,
  maxBufferChars = 1_048_576,
): AsyncGenerator<SseMessage, void, undefined> {
  let ready: SseMessage[] = [];
  let overflow: ParseError | undefined;
  const parser = createParser({
    maxBufferSize: maxBufferChars,
    onEvent: ({ event, data }) => void ready.push({ event: event ?? "message", data }),
    onError: (error) => {
      // Unknown fields and bad `retry:` values are ignored, as browsers do.
      if (error.type === "max-buffer-size-exceeded") overflow = error;
    },
  });
  // Joins a multi-byte character split across reads. Not `body.setEncoding()`: undici's body
  // ignores it.
  const decoder = new StringDecoder("utf8");
  for await (const bytes of body as AsyncIterable<Buffer>) {
    parser.feed(decoder.write(bytes));
    if (overflow) throw new Error("SSE event too large", { cause: overflow });
    if (ready.length === 0) continue;
    const events = ready;
    ready = [];
    yield* events;
  }
}
