import { randomNamespace } from "@chat/bus/testing";
import { ChatSession, type MessageFrame } from "@chat/client";
import { signToken } from "@chat/core";
import { createRepository } from "@chat/db";
import { createTestDatabase } from "@chat/db/testing";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { nginxAvailable, startGateway } from "../src/nginx";
import { type AppName, type AppProcess, freePort, spawnApp } from "../src/processes";
import { TEST_SECRET } from "../src/stack";

// A rolling restart of every app, one at a time (SIGTERM, then a new process on the same port),
// behind the nginx gateway, while a user keeps writing through the SDK: nothing is lost or
// stored twice, the other user sees everything once and in order, and every message gets one
// final agent reply. Needs real PostgreSQL and Redis (processes share them).
const canRun = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL) && nginxAvailable;

describe.skipIf(!canRun)("rolling restart under traffic", () => {
  it("loses nothing while api, both edges and both workers restart one by one", { timeout: 120_000 }, async () => {
    await using database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url ?? "",
      REDIS_URL: process.env.REDIS_URL ?? "",
      REDIS_KEY_PREFIX: randomNamespace(),
      JWT_SECRET_KEY: TEST_SECRET,
      STREAM_DELAY_MS: "5",
      STREAM_CLAIM_IDLE_MS: "1500",
      LOG_LEVEL: "warn",
    };
    const plan: AppName[] = ["api", "ws-edge", "ws-edge", "stream-worker", "stream-worker"];
    const ports = await Promise.all(plan.map(() => freePort()));
    const apps: AppProcess[] = await Promise.all(
      plan.map((name, i) => spawnApp(name, { ...env, SERVICE_PORT: String(ports[i]) })),
    );
    try {
      const gatewayPort = await freePort();
      await using _gateway = await startGateway({
        port: gatewayPort,
        wsEdges: [`127.0.0.1:${ports[1]}`, `127.0.0.1:${ports[2]}`],
        apis: [`127.0.0.1:${ports[0]}`],
      });
      const base = `http://127.0.0.1:${gatewayPort}`;
      const token = (user: string) => signToken({ sub: user }, { secret: TEST_SECRET });
      const created = await fetch(`${base}/api/chat/sessions`, {
        method: "POST",
        headers: { authorization: `Bearer ${await token("alice")}`, "content-type": "application/json" },
        body: JSON.stringify({ agent_id: 1 }),
      });
      const { session_id: sessionId } = (await created.json()) as { session_id: string };
      const repo = createRepository(database);
      await repo.addParticipant(sessionId, "bob", "member");

      const open = (user: string) =>
        new ChatSession({
          url: base,
          sessionId,
          token: () => token(user),
          sinceSeq: 0,
          WebSocket,
          backoff: { initialMs: 50, maxMs: 500 },
          ackTimeoutMs: 2_000,
        });
      const alice = open("alice");
      const bob = open("bob");
      const bobSaw: MessageFrame[] = [];
      bob.on("message", (frame) => {
        if (frame.sender_id === "alice") bobSaw.push(frame);
      });

      // Alice writes steadily until every app has been restarted once.
      let restarting = true;
      const sends: Promise<MessageFrame>[] = [];
      const traffic = (async () => {
        for (let i = 0; restarting || i < 5; i++) {
          sends.push(alice.send(`steady ${i}`));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      for (const [i, name] of plan.entries()) {
        await apps[i]?.stop("SIGTERM");
        apps[i] = await spawnApp(name, { ...env, SERVICE_PORT: String(ports[i]) });
      }
      restarting = false;
      await traffic;
      const acked = await Promise.all(sends);
      const total = sends.length;

      // Stored exactly once each, seen by bob exactly once each, in order.
      expect(new Set(acked.map((m) => m.message_id)).size).toBe(total);
      const { messages } = await repo.pageMessages(sessionId, { limit: 1_000 });
      const stored = messages.filter((m) => m.senderType === "user").map((m) => m.content);
      expect([...stored].sort()).toEqual(Array.from({ length: total }, (_, i) => `steady ${i}`).sort());
      const deadline = Date.now() + 20_000;
      while (bobSaw.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(bobSaw.map((m) => m.content).sort()).toEqual([...stored].sort());
      const seqs = bobSaw.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

      // Every user message gets exactly one final agent reply, restarts or not.
      await expect
        .poll(
          async () => {
            const page = await repo.pageMessages(sessionId, { limit: 1_000 });
            const users = page.messages.filter((m) => m.senderType === "user");
            const finals = page.messages.filter((m) => m.senderType === "agent" && m.status === "complete");
            return users.filter(
              (u) =>
                finals.filter((r) => (r.metadata as { reply_to?: string } | null)?.reply_to === u.messageId).length ===
                1,
            ).length;
          },
          { timeout: 60_000, interval: 500 },
        )
        .toBe(total);
      alice.close();
      bob.close();
    } finally {
      await Promise.all(apps.map((app) => app.stop("SIGTERM")));
    }
  });
});
