import { randomNamespace } from "@chat/bus/testing";
import { signToken } from "@chat/core";
import { createRepository } from "@chat/db";
import { createTestDatabase } from "@chat/db/testing";
import { WS_PROTOCOL, wsProtocols } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { makePng } from "../src/files";
import { nginxAvailable, startGateway } from "../src/nginx";
import { type AppProcess, freePort, spawnApp } from "../src/processes";
import { TEST_SECRET } from "../src/stack";
import { openSocket, type TestSocket } from "../src/ws-client";

// The deployment as users run it, as processes on loopback: the real nginx gateway in front of
// two ws-edges and one api, two stream-workers, real PostgreSQL and Redis. Needs the real
// servers (processes cannot share the in-process bus), so it runs in the real-servers pass.
const canRun = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL) && nginxAvailable;

/** The event seqs of the stored events a socket received, in arrival order. */
function eventSeqs(socket: TestSocket): number[] {
  return socket.frames.flatMap((f) => (f.type === "message" ? [f.event_seq] : []));
}

describe.skipIf(!canRun)("split topology behind the nginx gateway", () => {
  it("carries a conversation across edges, and loses nothing when an edge is killed", { timeout: 90_000 }, async () => {
    await using database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url ?? "",
      REDIS_URL: process.env.REDIS_URL ?? "",
      REDIS_KEY_PREFIX: randomNamespace(),
      JWT_SECRET_KEY: TEST_SECRET,
      STREAM_DELAY_MS: "5",
      STREAM_CLAIM_IDLE_MS: "2000",
      LOG_LEVEL: "debug",
    };
    const apps: AppProcess[] = [];
    try {
      const [api, edgeA, edgeB] = await Promise.all([
        spawnApp("api", env),
        spawnApp("ws-edge", env),
        spawnApp("ws-edge", env),
        spawnApp("stream-worker", env),
        spawnApp("stream-worker", env),
      ]).then((started) => {
        apps.push(...started);
        return started;
      });
      if (!api || !edgeA || !edgeB) throw new Error("apps did not start");
      const port = await freePort();
      await using _gateway = await startGateway({
        port,
        wsEdges: [`127.0.0.1:${edgeA.port}`, `127.0.0.1:${edgeB.port}`],
        apis: [`127.0.0.1:${api.port}`],
      });
      const gateway = `127.0.0.1:${port}`;
      const tokens = {
        alice: await signToken({ sub: "alice" }, { secret: TEST_SECRET }),
        bob: await signToken({ sub: "bob" }, { secret: TEST_SECRET }),
      };

      const created = await fetch(`http://${gateway}/api/chat/sessions`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.alice}`, "content-type": "application/json" },
        body: JSON.stringify({ agent_id: 1, title: "through the gateway" }),
      });
      expect(created.status).toBe(201);
      const { session_id: sessionId } = (await created.json()) as { session_id: string };
      await createRepository(database).addParticipant(sessionId, "bob", "member");

      // Alice's token rides in ?token= (the spec's form), Bob's in Sec-WebSocket-Protocol (the
      // SDK's): the gateway passes the header through, and the edge selects "chat".
      const aliceUrl = `ws://${gateway}/ws/${sessionId}?token=${tokens.alice}`;
      const openBob = (query = "") =>
        openSocket(`ws://${gateway}/ws/${sessionId}${query}`, {
          origin: "http://localhost:9060",
          protocols: wsProtocols(tokens.bob),
        });
      const alice = openSocket(aliceUrl, { origin: "http://localhost:9060" });
      const aliceReady = await alice.next("ready");
      let bob = openBob();
      const bobReady = await bob.next("ready");
      expect(bob.ws.protocol).toBe(WS_PROTOCOL);
      // nginx round-robins: the two users sit on different edges.
      // (Each edge logs its connection ids; the lines arrive shortly after the frames.)
      const edgeOf = async (connectionId: string) => {
        for (let i = 0; i < 100; i++) {
          const edge = [edgeA, edgeB].find((e) => e.logs.some((l) => l.includes(connectionId)));
          if (edge) return edge;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return undefined;
      };
      const aliceEdge = await edgeOf(aliceReady.connection_id);
      const bobEdge = await edgeOf(bobReady.connection_id);
      // Ports, not the process objects: a failure message would print a whole ChildProcess.
      expect(aliceEdge?.port).toBeDefined();
      expect(bobEdge?.port).toBeDefined();
      expect(aliceEdge?.port).not.toBe(bobEdge?.port);

      // Messages both ways, and an agent reply streamed to both.
      alice.send({ type: "message", content: "hello bob" });
      await bob.next("message", (f) => f.content === "hello bob");
      bob.send({ type: "message", content: "hello alice" });
      await alice.next("message", (f) => f.content === "hello alice");
      await alice.next("stream_end", undefined, 15_000);
      await bob.next("stream_end", undefined, 15_000);
      const chunks = bob.frames.filter((f) => f.type === "stream_chunk");
      expect(chunks.length).toBeGreaterThan(1);

      // An upload through the gateway: the file message reaches the other edge, the signed
      // URLs serve the file and its thumbnail.
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(makePng(64, 48))], { type: "image/png" }), "picture.png");
      form.append("message", "a picture");
      const upload = await fetch(`http://${gateway}/api/chat/sessions/${sessionId}/files`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.alice}` },
        body: form,
      });
      expect(upload.status).toBe(201);
      const uploaded = (await upload.json()) as { message_id: string; file_url: string; thumbnail_url: string };
      await bob.next("message", (f) => f.message_id === uploaded.message_id && f.message_type === "file");
      const file = await fetch(`http://${gateway}${uploaded.file_url}`);
      expect([file.status, file.headers.get("content-type")]).toEqual([200, "image/png"]);
      expect((await fetch(`http://${gateway}${uploaded.thumbnail_url}`)).status).toBe(200);

      // Bob's edge dies without a goodbye. Alice keeps talking meanwhile.
      const lastSeen = Math.max(
        ...bob.frames.flatMap((f) => ("event_seq" in f && typeof f.event_seq === "number" ? [f.event_seq] : [])),
      );
      await bobEdge?.stop("SIGKILL");
      await bob.closed;
      for (let i = 1; i <= 20; i++) alice.send({ type: "message", content: `while you were away ${i}` });
      await alice.next("message", (f) => f.content === "while you were away 20");

      // Bob reconnects through the gateway (nginx skips the dead edge) and recovers everything.
      bob = openBob(`?since_seq=${lastSeen}`);
      await bob.next("ready");
      await bob.next("message", (f) => f.content === "while you were away 20", 15_000);
      const recovered = bob.frames.flatMap((f) => (f.type === "message" && f.sender_id === "alice" ? [f.content] : []));
      expect(recovered.filter((c) => c?.startsWith("while you were away"))).toEqual(
        Array.from({ length: 20 }, (_, i) => `while you were away ${i + 1}`),
      );
      // Recovery is in event order (a finished reply is a later event than its start).
      const seqs = eventSeqs(bob);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);

      // Every user message gets exactly one final agent reply.
      const repo = createRepository(database);
      await expect
        .poll(
          async () => {
            const { messages } = await repo.pageMessages(sessionId, { limit: 200 });
            const users = messages.filter((m) => m.senderType === "user");
            const replies = messages.filter((m) => m.senderType === "agent" && m.status === "complete");
            return users.every(
              (u) =>
                replies.filter((r) => (r.metadata as { reply_to?: string })?.reply_to === u.messageId).length === 1,
            );
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBe(true);
      // Every app reports readiness and Prometheus metrics of what it did.
      for (const app of apps.filter((a) => a.child.exitCode === null && a.child.signalCode === null)) {
        expect((await fetch(`http://127.0.0.1:${app.port}/readyz`)).status, app.name).toBe(200);
        const metrics = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
        expect(metrics, app.name).toContain("nodejs_eventloop_lag_seconds");
      }
      const metricsOf = async (app: AppProcess) => (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
      expect(await metricsOf(api)).toMatch(
        /chat_http_request_duration_seconds_count\{[^}]*route="\/api\/chat\/sessions"/,
      );
      expect(await metricsOf(aliceEdge as AppProcess)).toMatch(
        /chat_ws_frames_in_total\{[^}]*type="message"[^}]*\} [1-9]/,
      );
      const edgeMetrics = await metricsOf(aliceEdge as AppProcess);
      // (Boolean checks: a failed match on a whole metrics page is slow to print.)
      expect(/chat_messages_stored_total\{[^}]*sender_type="user"[^}]*\} [1-9]/.test(edgeMetrics)).toBe(true);
      expect(/chat_store_batch_size_count\{[^}]*\} [1-9]/.test(edgeMetrics)).toBe(true);
      expect(/chat_ws_connections\{[^}]*\} [1-9]/.test(edgeMetrics)).toBe(true);
      const workers = apps.filter((a) => a.name === "stream-worker");
      const replies = await Promise.all(workers.map(metricsOf));
      expect(replies.join("\n")).toMatch(/chat_stream_replies_total\{[^}]*finish_reason="stop"[^}]*\} [1-9]/);

      await alice.close();
      await bob.close();

      // Logs: JSON lines with the instance id; never a token, an Authorization header or a
      // message body.
      const lines = apps.flatMap((app) => app.logs);
      expect(lines.length).toBeGreaterThanOrEqual(apps.length);
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        expect(entry.instance_id).toEqual(expect.any(String));
        expect(line).not.toContain(tokens.alice);
        expect(line).not.toContain(tokens.bob);
        expect(line.toLowerCase()).not.toContain("bearer");
        expect(line).not.toContain("hello bob");
        expect(line).not.toContain("while you were away");
      }
    } finally {
      await Promise.all(apps.map((app) => app.stop("SIGTERM")));
    }
  });
});
