import { type Dispatcher, getGlobalDispatcher } from "undici";
import { SseEvents } from "./sse";

export interface SseRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Aborts the request at any point; the connection is closed, so the server sees it. */
  signal: AbortSignal;
  /** @default undici's global dispatcher */
  dispatcher?: Dispatcher | undefined;
}

export interface SseResponse {
  statusCode: number;
  /** The body, parsed as it arrives; rejects the reader with the request's failure. */
  events: AsyncIterable<{ event: string; data: string }>;
  /**
   * Close the connection unless the body already ended, so the server stops sending (an error
   * answer, a consumer that gave up). Otherwise the connection goes back to the pool once the
   * body ended, read or not.
   */
  close(): void;
}

/**
 * POST `body` and resolve, once the answer's headers are in, with its status and its body as
 * Server-Sent Events. undici's dispatch handler feeds the SSE parser straight from the HTTP
 * parser's callbacks: no response stream in between (`undici.request` wraps the body in a node
 * stream, fetch in a web stream; per event both cost more than the parsing). Rejects with the
 * connection's error (ECONNREFUSED...) or the signal's reason.
 */
export function postForSse({ url, headers, body, signal, dispatcher }: SseRequest): Promise<SseResponse> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const { origin, pathname, search } = new URL(url);
    let controller: Dispatcher.DispatchController | undefined;
    let answered = false;
    let finished = false;
    const events = new SseEvents((go) => (go ? controller?.resume() : controller?.pause()));
    const onAbort = () => {
      // Before the request is on a socket there is nothing to close yet: onRequestStart will.
      if (controller) controller.abort(signal.reason);
      else if (!answered) reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const settle = () => {
      finished = true;
      signal.removeEventListener("abort", onAbort);
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (signal.aborted) started.abort(signal.reason);
      },
      onResponseStart(_, statusCode) {
        if (statusCode < 200) return; // 1xx: the answer is still to come
        answered = true;
        resolve({
          statusCode,
          events,
          close: () => {
            if (!finished) controller?.abort(new Error("response closed by the client"));
          },
        });
      },
      onResponseData(_, chunk) {
        events.push(chunk);
      },
      onResponseEnd() {
        settle();
        events.end();
      },
      onResponseError(_, error) {
        settle();
        if (answered) events.fail(error);
        else reject(error);
      },
    };
    (dispatcher ?? getGlobalDispatcher()).dispatch(
      { origin, path: pathname + search, method: "POST", headers, body },
      handler,
    );
  });
}
