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
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
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
    const send = (data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    const delta = (content: string) => ({
      id: "chatcmpl-test",
      object: "chat.completion.chunk",
      model,
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    });
    if (model === "malformed") {
      send(delta("partial "));
      res.write("data: {not json\n\n");
      finished = true;
      res.end();
      return;
    }
    const count = model === "clock" ? (options.clockTokens ?? 20) : model === "slow" ? 200 : defaultTokens.length;
    let tokensOut = 0;
    for (let i = 0; i < count; i++) {
      if (res.destroyed) return;
      if (i > 0 || model === "clock") await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (res.destroyed) return;
      const token =
        model === "clock"
          ? `<${arrival.toFixed(3)},${now().toFixed(3)}>`
          : model === "slow"
            ? `t${i} `
            : (defaultTokens[i] ?? "");
      send(delta(token));
      tokensOut += 1;
    }
    send({
      id: "chatcmpl-test",
      object: "chat.completion.chunk",
      model,
      choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
    });
    send({
      id: "chatcmpl-test",
      object: "chat.completion.chunk",
      model,
      choices: [],
      usage: { total_tokens: 7 + tokensOut },
    });
    send("[DONE]");
    finished = true;
    res.end();
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
