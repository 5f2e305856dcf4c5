import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OpenAI-compatible Chat Completions server for tests and benchmarks (node:http, real
 * SSE). What it does is chosen by the request's `model`:
 * - `echo`: streams `tokens` (default: the words of "Hello from the fake model ...") every
 *   `intervalMs`, then a usage chunk and `[DONE]`;
 * - `slow`: like echo but 200 tokens, for cancelling mid-stream;
 * - `http-500`: answers 500; `malformed`: one good chunk then a broken one;
 * - `stall`: sends the headers, then nothing;
 * - `clock`: each token is `<arrival,emit>` in epoch ms with µs (benchmarks correlate them).
 */
export interface FakeOpenAi extends AsyncDisposable {
  url: string;
  /** Every request's parsed body and headers. */
  requests: { body: any; headers: IncomingMessage["headers"] }[];
  /** Requests whose client closed the connection before the stream ended. */
  disconnects: number;
  /** Resolves at the next client disconnect. */
  nextDisconnect(): Promise<void>;
  close(): Promise<void>;
}

export interface FakeOpenAiOptions {
  intervalMs?: number;
  tokens?: string[];
  /** Tokens of `clock` streams. @default 20 */
  clockTokens?: number;
}

export const FAKE_REPLY = "Hello from the fake model, streaming word by word.";

const now = () => performance.timeOrigin + performance.now();

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const intervalMs = options.intervalMs ?? 2;
  const defaultTokens = options.tokens ?? FAKE_REPLY.split(/(?<= )/);
  let disconnectWaiters: (() => void)[] = [];
  const server: Server = createServer(async (req, res) => {
    const arrival = now();
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || "{}");
    fake.requests.push({ body, headers: req.headers });
    const model: string = body.model ?? "echo";
    if (model === "http-500") {
      res.writeHead(500, { "content-type": "application/json" }).end('{"error":{"message":"boom"}}');
      return;
    }
    // Chunked framing written by hand, one socket write per event: the bench's 200 streams emit
    // thousands of events a second, and res.write's framing (a writev of three buffers, a
    // nextTick uncork) made this load generator cost as much CPU as the worker it feeds.
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "transfer-encoding": "chunked",
    });
    res.flushHeaders();
    let finished = false;
    res.on("close", () => {
      if (finished) return;
      fake.disconnects += 1;
      const waiters = disconnectWaiters;
      disconnectWaiters = [];
      for (const wake of waiters) wake();
    });
    if (model === "stall") return;
    const socket = res.socket;
    const send = (data: string) => {
      const event = `data: ${data}\n\n`;
      socket?.write(`${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`);
    };
    const finish = () => {
      finished = true;
      res.end();
    };
    // The chunk JSON around each token, built once.
    const [before, after] = JSON.stringify({
      id: "chatcmpl-test",
      object: "chat.completion.chunk",
      model,
      choices: [{ index: 0, delta: { content: "\u0000" }, finish_reason: null }],
    }).split('"\\u0000"') as [string, string];
    const delta = (content: string) => `${before}${JSON.stringify(content)}${after}`;
    if (model === "malformed") {
      send(delta("partial "));
      send("{not json");
      finish();
      return;
    }
    const count = model === "clock" ? (options.clockTokens ?? 20) : model === "slow" ? 200 : defaultTokens.length;
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i === count) {
        const tail = { id: "chatcmpl-test", object: "chat.completion.chunk", model };
        send(JSON.stringify({ ...tail, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
        send(JSON.stringify({ ...tail, choices: [], usage: { total_tokens: 7 + count } }));
        send("[DONE]");
        finish();
        return;
      }
      const token =
        model === "clock"
          ? `<${arrival.toFixed(3)},${now().toFixed(3)}>`
          : model === "slow"
            ? `t${i} `
            : (defaultTokens[i] ?? "");
      send(delta(token));
      i += 1;
      if (i < count) setTimeout(next, intervalMs);
      else next();
    };
    // The first token right away, except for `clock` streams (a model's time to first token).
    if (model === "clock") setTimeout(next, intervalMs);
    else next();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const fake: FakeOpenAi = {
    url,
    requests: [],
    disconnects: 0,
    nextDisconnect: () => new Promise((resolve) => disconnectWaiters.push(resolve)),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    [Symbol.asyncDispose]() {
      return fake.close();
    },
  };
  return fake;
}
