import { describe, expect, it } from "vitest";
import { APPEND_FAST, APPEND_MANY, createBatchingAppender } from "./batch-appender.js";
import { driverOf } from "./client.js";
import { NotFoundError } from "./errors.js";
import { openStatementRunner } from "./raw.js";
import { uid, useRepository } from "./test-helpers.js";
import type { AppendMessageInput } from "./types.js";

const text = (sessionId: string, content: string, clientMsgId?: string): AppendMessageInput => ({
  sessionId,
  senderType: "user",
  senderId: "u1",
  messageType: "text",
  content,
  clientMsgId: clientMsgId ?? null,
});

describe("batching appender", () => {
  const { database, repo } = useRepository();

  it("stores concurrent appends across sessions with gap-free seqs in call order per session", async () => {
    const appender = createBatchingAppender(database());
    const sessions = await Promise.all([1, 2, 3].map(() => repo().createSession({ userId: "u1" })));
    await repo().appendMessage(text(sessions[0]?.sessionId ?? "", "already there"));
    const calls = Array.from({ length: 90 }, (_, i) => text(sessions[i % 3]?.sessionId ?? "", `m${i}`));
    const results = await Promise.all(calls.map((input) => appender.append(input)));
    for (const [s, session] of sessions.entries()) {
      const mine = results.filter((_, i) => i % 3 === s).map((r) => r.message);
      const first = s === 0 ? 2 : 1;
      expect(mine.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => first + i));
      expect(mine.map((m) => m.eventSeq)).toEqual(mine.map((m) => m.seq));
      expect((await repo().getSession(session.sessionId))?.lastSeq).toBe(first + 29);
    }
    expect(results.every((r) => !r.duplicate)).toBe(true);
    // The raw statement's rows read back exactly as drizzle's, metadata as jsonb keeps it.
    expect(results[0]?.message).toEqual(await repo().getMessage(results[0]?.message.messageId ?? ""));
    const withMetadata = await appender.append({
      ...text(sessions[1]?.sessionId ?? "", "with metadata", "c-meta"),
      metadata: { zeta: 1, alpha: { b: 2, a: 1 }, "": null },
    });
    const readBack = await repo().getMessage(withMetadata.message.messageId);
    expect(withMetadata.message).toEqual(readBack);
    expect(JSON.stringify(withMetadata.message.metadata)).toBe(JSON.stringify(readBack?.metadata));
    await appender.close();
  });

  it("lets two appenders (two edges) store into the same sessions at once without a gap or a deadlock", async () => {
    const edges = [createBatchingAppender(database()), createBatchingAppender(database())];
    const sessions = await Promise.all([1, 2, 3, 4].map(() => repo().createSession({ userId: "u1" })));
    const calls = Array.from({ length: 200 }, (_, i) =>
      (edges[i % 2] ?? edges[0])?.append(text(sessions[(i * 7) % 4]?.sessionId ?? "", `m${i}`)),
    );
    const results = await Promise.all(calls);
    for (const session of sessions) {
      const seqs = results.filter((r) => r?.message.sessionId === session.sessionId).map((r) => r?.message.seq);
      expect(seqs.sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    }
    await Promise.all(edges.map((edge) => edge.close()));
  });

  it("stores a client_msg_id once, within a batch and across batches, burning no seq", async () => {
    const appender = createBatchingAppender(database());
    const { sessionId } = await repo().createSession({ userId: "u1" });
    const [a, b, c] = await Promise.all([
      appender.append(text(sessionId, "x", "same")),
      appender.append(text(sessionId, "x", "same")),
      appender.append(text(sessionId, "y", "other")),
    ]);
    expect(a?.duplicate).toBe(false);
    expect(b).toEqual({ message: a?.message, duplicate: true });
    expect(c?.message.seq).toBe(2);
    const again = await appender.append(text(sessionId, "x", "same"));
    expect(again).toMatchObject({ duplicate: true, message: { messageId: a?.message.messageId } });
    expect((await appender.append(text(sessionId, "z"))).message.seq).toBe(3);
    // A resend in a batch of new messages (the statement that checks for resends): the new ones
    // are stored, numbered on from where their sessions were.
    const other = await repo().createSession({ userId: "u1" });
    const mixed = await Promise.all([
      appender.append(text(sessionId, "w")),
      appender.append(text(sessionId, "x", "same")),
      appender.append(text(other.sessionId, "v", "fresh")),
      appender.append(text(sessionId, "u", "new")),
    ]);
    expect(mixed.map((r) => [r.duplicate, r.message.seq])).toEqual([
      [false, 4],
      [true, 1],
      [false, 1],
      [false, 5],
    ]);
    await appender.close();
  });

  it("fails only the appends whose session is missing or whose row is bad", async () => {
    const appender = createBatchingAppender(database());
    const { sessionId } = await repo().createSession({ userId: "u1" });
    const outcomes = await Promise.allSettled([
      appender.append(text(sessionId, "fine")),
      appender.append(text(uid("missing"), "nowhere")),
      appender.append({ ...text(sessionId, "bad"), senderId: "x".repeat(500) }),
      appender.append(text(sessionId, "fine too")),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    const seqs = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.message.seq] : []));
    expect(seqs).toEqual([1, 2]);
    await appender.close();
  });

  it("with a window: a lone append goes at once; while traffic flows appends gather until windowFill, an urgent append or close()", async () => {
    const sizes: number[] = [];
    // A window far longer than the test: once traffic flows, only a full batch, an urgent
    // append or close() can send.
    const appender = createBatchingAppender(database(), {
      windowMs: 60_000,
      maxBatch: 3,
      onBatch: (n) => sizes.push(n),
    });
    const { sessionId } = await repo().createSession({ userId: "u1" });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    expect((await appender.append(text(sessionId, "a"))).message.seq).toBe(1);
    const nextThree = [];
    for (const content of ["b", "c", "d"]) {
      nextThree.push(appender.append(text(sessionId, content)));
      await turn();
    }
    expect((await Promise.all(nextThree)).map((r) => r.message.seq)).toEqual([2, 3, 4]);
    const waiting = appender.append(text(sessionId, "e"));
    await turn();
    const urgent = appender.append({ ...text(sessionId, "f"), urgent: true });
    expect([(await waiting).message.seq, (await urgent).message.seq]).toEqual([5, 6]);
    const last = appender.append(text(sessionId, "g", "g"));
    await turn();
    await appender.close();
    expect((await last).message.seq).toBe(7);
    expect(sizes).toEqual([1, 3, 2, 1]);
  });

  it("plans the batched append with index scans even on tables too small to need them", async (ctx) => {
    // A generic plan is made once per connection and kept: one made on a small table must not
    // seq-scan chat_sessions, whose updated rows leave dead versions a scan would read.
    if (driverOf(database()).kind !== "postgres") ctx.skip(); // PGlite: no pool of its own to set
    const runner = openStatementRunner(database(), 1);
    const session = await repo().createSession({ userId: "u1" });
    // Statistics of a table of a few rows, as autovacuum soon gathers on a new deployment.
    await runner.run({ text: "analyze chat_sessions", params: [] });
    const one = (value: unknown) => [value];
    const row = [[session.sessionId], [uid("m")], ...["user", "u1", "text", "hi", null, null, "complete"].map(one)];
    const plans = [];
    for (const [text, params] of [
      [APPEND_FAST, [[1], ...row, [session.sessionId], [1]]],
      [APPEND_MANY, [[0], ...row]],
    ] as const) {
      plans.push(JSON.stringify(await runner.run({ text: `explain (format json) ${text}`, params: [...params] })));
    }
    await runner.close();
    for (const plan of plans) {
      expect(plan).toContain('"Relation Name":"chat_sessions"');
      expect(plan).not.toMatch(/"Node Type":"Seq Scan"[^}]*"Relation Name":"chat_sessions"/);
    }
    // The statement most batches run never reads chat_messages (it only inserts).
    expect(plans[0]).not.toMatch(
      /"Node Type":"(Index|Index Only|Bitmap Heap|Seq) Scan"[^}]*"Relation Name":"chat_messages"/,
    );
  });
});
