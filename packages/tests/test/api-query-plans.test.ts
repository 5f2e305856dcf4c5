// The plans of the hot REST queries on real PostgreSQL, after seeding enough rows and ANALYZE:
// each reads chat_messages through an index, never by a sequential scan. PGlite's planner
// statistics and costs differ from a server's, so this runs only against a server.
import {
  appendStatement,
  type Database,
  listSessionsStatement,
  memberPageStatement,
  pageMessagesQuery,
  replyContextStatement,
  searchHitsQuery,
  updateAsEventStatement,
} from "@chat/db";
import { createTestDatabase, execRaw, explainPlan, type PlanNode } from "@chat/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedChatData } from "../src/seed";

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const HEAVY = "plan.heavy";
const sessionIndexes = ["uq_chat_messages_session_seq", "idx_chat_messages_session_id"];
const onServer = Boolean(process.env.DATABASE_URL);

describe.skipIf(!onServer)("query plans on real PostgreSQL (skipped: DATABASE_URL is not set)", () => {
  let database: Database & AsyncDisposable;
  beforeAll(async () => {
    database = await createTestDatabase();
    // 3,000 sessions × 40 messages: enough that a sequential scan is never the cheap choice.
    await seedChatData((statement) => execRaw(database, statement), {
      sessions: 3_000,
      messagesPerSession: 40,
      heavyUser: HEAVY,
      heavySessions: 300,
      otherUsers: 300,
    });
  }, 120_000);
  afterAll(() => database?.close());

  async function plan(query: Parameters<typeof explainPlan>[1]) {
    const all = nodes(await explainPlan(database, query));
    const onMessages = all.filter((n) => n["Relation Name"] === "chat_messages");
    const indexes = [...new Set(all.flatMap((n) => (n["Index Name"] ? [n["Index Name"]] : [])))];
    return {
      seqScansOnMessages: onMessages.filter((n) => n["Node Type"] === "Seq Scan").length,
      // Bitmap index scans name only the index; every index of chat_messages has it in its name.
      messageIndexes: [...new Set(indexes.filter((name) => name.includes("chat_messages")))],
      indexes,
    };
  }

  it("session list: participants by user_id, per-row figures from the (session_id, seq) index", async () => {
    for (const options of [
      { limit: 20, offset: 0 },
      { limit: 20, offset: 280, status: "active" as const, agentId: 1 },
    ]) {
      const result = await plan(listSessionsStatement(HEAVY, options));
      expect(result.seqScansOnMessages).toBe(0);
      expect(result.indexes).toContain("idx_chat_session_participants_user_id");
      expect(result.messageIndexes).toContain("uq_chat_messages_session_seq");
    }
  });

  it("message page: one session's range of a session_id index, for seq and time cursors", async () => {
    for (const options of [
      { limit: 50 },
      { limit: 50, beforeSeq: 20 },
      { limit: 50, afterSeq: 10 },
      { limit: 50, beforeTime: new Date() },
    ]) {
      const result = await plan(pageMessagesQuery(database.db, "sess_seed_42", options));
      expect(result.seqScansOnMessages, JSON.stringify(options)).toBe(0);
      // Either index keyed by session_id reads just this session (the spec's plain one is a
      // prefix of the unique one; for a short session PostgreSQL may take it and sort).
      expect(result.messageIndexes.length).toBe(1);
      expect(sessionIndexes).toContain(result.messageIndexes[0]);
    }
  });

  it("message page of the api (membership, page and count in one statement): indexes only", async () => {
    for (const options of [
      { limit: 50 },
      { limit: 50, beforeSeq: 20 },
      { limit: 50, afterSeq: 10 },
      { limit: 50, beforeTime: new Date() },
    ]) {
      const result = await plan(memberPageStatement("sess_seed_42", HEAVY, options));
      expect(result.seqScansOnMessages, JSON.stringify(options)).toBe(0);
      expect(result.messageIndexes.every((name) => sessionIndexes.includes(name))).toBe(true);
      expect(result.indexes).toContain("chat_sessions_session_id_key");
    }
  });

  it("an agent reply's statements (context with history, append, update as event): keys and indexes only", async () => {
    const context = await plan(replyContextStatement("sess_seed_42", "msg_seed_42_30", "msg_none", 20));
    expect(context.seqScansOnMessages).toBe(0);
    expect(context.indexes).toContain("chat_sessions_session_id_key");
    expect(context.indexes).toContain("chat_messages_message_id_key");
    expect(context.messageIndexes.some((name) => sessionIndexes.includes(name))).toBe(true);

    const append = await plan(
      appendStatement({
        sessionId: "sess_seed_42",
        messageId: "msg_plan_append",
        senderType: "agent",
        senderId: "1",
        messageType: "stream",
        content: "",
        status: "streaming",
      }),
    );
    expect(append.indexes).toContain("chat_sessions_session_id_key");

    const update = await plan(updateAsEventStatement("msg_seed_42_30", { content: "x", status: "complete" }));
    expect(update.seqScansOnMessages).toBe(0);
    expect(update.indexes).toContain("chat_messages_message_id_key");
    expect(update.indexes).toContain("chat_sessions_session_id_key");
  });

  it("search: the trigram index for a selective 3+ character query, the caller's sessions for short ones", async () => {
    const rare = await plan(searchHitsQuery(HEAVY, "(주문번호 42017)", { limit: 20 }));
    expect(rare.seqScansOnMessages).toBe(0);
    expect(rare.messageIndexes).toContain("idx_chat_messages_content_trgm");

    for (const user of [HEAVY, "user_7"]) {
      const short = await plan(searchHitsQuery(user, "환불", { limit: 20 }));
      expect(short.seqScansOnMessages, user).toBe(0);
      expect(
        short.messageIndexes.some(
          (name) => name.startsWith("idx_chat_messages_session_id") || name === "uq_chat_messages_session_seq",
        ),
      ).toBe(true);
      expect(short.messageIndexes).not.toContain("idx_chat_messages_created_at");
    }
    const inOne = await plan(searchHitsQuery(HEAVY, "환불", { limit: 20, sessionId: "sess_seed_42" }));
    expect(inOne.seqScansOnMessages).toBe(0);
  });
});
