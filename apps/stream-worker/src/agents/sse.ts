/** One Server-Sent Event: its `event:` name (default "message") and joined `data:` lines. */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Parse a text/event-stream body as the HTML spec says: lines end in LF, CRLF or CR; `data:`
 * lines of one event are joined with "\n"; comments (`:`) are skipped; an event ends at a
 * blank line. `maxEventBytes` bounds memory against a server that never ends an event.
 */
export async function* parseSse(
  body: ReadableStream<Uint8Array>,
  maxEventBytes = 1_048_576,
): AsyncGenerator<SseMessage, void, undefined> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let size = 0;
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf("\n", start);
      const cr = buffer.indexOf("\r", start);
      let end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) break;
      // A CR at the very end may be the first half of CRLF: wait for more input.
      if (end === cr && cr === buffer.length - 1) break;
      const line = buffer.slice(start, end);
      if (buffer[end] === "\r" && buffer[end + 1] === "\n") end += 1;
      start = end + 1;
      if (line === "") {
        if (data.length > 0) yield { event: event || "message", data: data.join("\n") };
        event = "";
        data = [];
        size = 0;
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") {
        size += value.length;
        if (size > maxEventBytes) throw new Error("SSE event too large");
        data.push(value);
      } else if (field === "event") event = value;
    }
    buffer = buffer.slice(start);
    if (buffer.length > maxEventBytes) throw new Error("SSE line too long");
  }
  if (data.length > 0) yield { event: event || "message", data: data.join("\n") };
}
