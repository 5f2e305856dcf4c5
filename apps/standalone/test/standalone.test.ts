import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signToken, silentLogger } from "@chat/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadStandaloneEnv, startStandalone } from "../src";

// What `pnpm start` runs, with its defaults: PGlite on disk and the in-process bus.
describe("the standalone server (pnpm start)", () => {
  let dataDir: string;
  const secret = "local-dev-secret-key-change-in-production";
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "chat-standalone-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const start = () =>
    startStandalone(loadStandaloneEnv({ SERVICE_PORT: "0", DATA_DIR: dataDir, STREAM_DELAY_MS: "1" }), silentLogger());

  it("serves REST and WebSockets on one port and streams the demo agent's reply", async () => {
    const app = await start();
    try {
      const token = await signToken({ sub: "syngha.han" }, { secret });
      const base = `http://127.0.0.1:${app.port}`;
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: "ready" });
      const created = await fetch(`${base}/api/chat/sessions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ agent_id: 1, title: "Test Chat Session" }),
      });
      const session = (await created.json()) as { session_id: string };
      const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws/${session.session_id}?token=${token}`, {
        origin: "http://localhost:9060",
      });
      const types: string[] = [];
      let streamed = "";
      await new Promise<void>((resolve, reject) => {
        ws.on("open", () => ws.send(JSON.stringify({ type: "message", content: "안녕하세요!" })));
        ws.on("message", (data) => {
          const frame = JSON.parse(data.toString());
          types.push(frame.type);
          if (frame.type === "stream_chunk") streamed += frame.content;
          if (frame.type === "stream_end") resolve();
        });
        ws.on("error", reject);
      });
      ws.close();
      // Presence (`system` user_joined) travels on its own channel: its place among these varies.
      expect(types.filter((type) => type !== "system").slice(0, 3)).toEqual(["ready", "message", "stream_start"]);
      expect(streamed).toMatch(/^You said: "안녕하세요!"/);
    } finally {
      await app.close();
    }
  });

  it("keeps its data in DATA_DIR across restarts", async () => {
    const app = await start();
    const token = await signToken({ sub: "syngha.han" }, { secret });
    let sessions: unknown[];
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/api/chat/sessions`, {
        headers: { authorization: `Bearer ${token}` },
      });
      sessions = ((await res.json()) as { sessions: unknown[] }).sessions;
    } finally {
      await app.close();
    }
    expect(sessions).toMatchObject([{ title: "Test Chat Session", last_message: expect.stringMatching(/^You said/) }]);
  });
});
