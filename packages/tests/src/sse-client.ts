import type { SseEvent } from "@chat/protocol";

export interface SseRecord {
  id: string | undefined;
  event: SseEvent;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** Events so far (grows as they arrive). */
  events: SseRecord[];
  /** Heartbeat comments seen. */
  comments: number;
  /** Resolves when the server ends the response (or it is aborted). */
  done: Promise<void>;
  /** Resolves once `events` matches. */
  until(match: (events: SseRecord[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Drop the connection (as a client that goes away would). */
  abort(): void;
  /** Non-SSE answers (errors): the parsed JSON body. */
  json?: any;
}

/** Open an SSE request and record its events as they arrive. */
export async function openSse(url: string, init: RequestInit): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const events: SseRecord[] = [];
  const waiters = new Set<() => void>();
  const stream: SseStream = {
    status: response.status,
    headers: response.headers,
    events,
    comments: 0,
    done: Promise.resolve(),
    until(match, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (match(events)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SSE condition not met; got ${events.map((e) => e.event.type).join(",")}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    abort: () => controller.abort(),
  };
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
    stream.json = await response.json().catch(() => undefined);
    return stream;
  }
  stream.done = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(bytes, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          let id: string | undefined;
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) stream.comments += 1;
            else if (line.startsWith("id: ")) id = line.slice(4);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ id, event: JSON.parse(data.join("\n")) as SseEvent });
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // aborted by the test
    }
    for (const wake of waiters) wake();
  })();
  return stream;
}
