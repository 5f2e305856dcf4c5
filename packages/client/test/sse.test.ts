import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ChatApi, parseEventStream } from "../src";

// A real local HTTP server speaking SSE the way the service does: the reply stream drops after
// two chunks, and the resume URL continues after Last-Event-ID.
const events = [
  {
    type: "stream_start",
    session_id: "s1",
    message_id: "m1",
    seq: 2,
    sender_type: "agent",
    sender_id: "1",
    attempt: 1,
  },
  { type: "stream_chunk", session_id: "s1", message_id: "m1", content: "Hel", index: 0 },
  { type: "stream_chunk", session_id: "s1", message_id: "m1", content: "lo ", index: 1 },
  { type: "stream_chunk", session_id: "s1", message_id: "m1", content: "there", index: 2 },
  { type: "stream_end", session_id: "s1", message_id: "m1", tokens_used: 3, latency_ms: 5, finish_reason: "stop" },
];
const seen: { method: string; url: string; lastEventId: string | undefined; body: string }[] = [];
let server: Server;
let url: string;

async function bodyOf(req: IncomingMessage) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const lastEventId = req.headers["last-event-id"] as string | undefined;
    seen.push({ method: req.method ?? "", url: req.url ?? "", lastEventId, body: await bodyOf(req) });
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(": heartbeat\n\n");
    const from = lastEventId === undefined ? 0 : Number(lastEventId) + 1;
    for (let i = from; i < events.length; i++) {
      // Split each event across writes, at an odd place, to exercise the parser's buffering.
      const text = `id: ${i}\nevent: ${events[i]?.type}\ndata: ${JSON.stringify(events[i])}\r\n\r\n`;
      res.write(text.slice(0, 7));
      await new Promise((resolve) => setTimeout(resolve, 2));
      res.write(text.slice(7));
      if (lastEventId === undefined && i === 2) {
        await new Promise((resolve) => setTimeout(resolve, 30)); // let event 2 arrive, then drop
        return void res.destroy();
      }
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

it("parses fields, multi-line data and comments", async () => {
  const body = new Blob([": hi\nid: 7\nevent: x\ndata: a\ndata: b\n\ndata: c\n\n"]).stream();
  const out = [];
  for await (const event of parseEventStream(body)) out.push(event);
  expect(out).toEqual([
    { id: "7", event: "x", data: "a\nb" },
    { id: "7", event: undefined, data: "c" },
  ]);
});

it("streams a reply over SSE and resumes with Last-Event-ID after a drop, without gap or repeat", async () => {
  const api = new ChatApi({ url, token: "t" });
  const frames = [];
  for await (const frame of api.streamMessage("s1", "hello")) frames.push(frame);
  expect(frames).toEqual(events);
  expect(seen.map((r) => [r.method, r.url, r.lastEventId])).toEqual([
    ["POST", "/api/chat/sessions/s1/messages/stream", undefined],
    ["GET", "/api/chat/sessions/s1/messages/m1/stream", "2"],
  ]);
  expect(JSON.parse(seen[0]?.body ?? "{}")).toMatchObject({ content: "hello", stream: true });
});
