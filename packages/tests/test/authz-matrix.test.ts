import { CloseCode, type clientFrameSchemas } from "@chat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  leaksIn,
  listRoutes,
  makePng,
  type Owned,
  openSocket,
  reportSuiteFigure,
  secretsOf,
  seedOwners,
  useStack,
} from "../src";

/**
 * User B holds every identifier of user A's (session, messages, replies, files, signed URLs) and
 * tries it everywhere: each REST route of the app (enumerated from the Express router, so a new
 * route without a case fails here), SSE, downloads, the WS connect and every WS frame type.
 * Always the documented refusal, and never one of A's ids or texts in what comes back.
 */

interface Case {
  label: string;
  path: string;
  method?: string;
  body?: unknown;
  /** Replaces B's bearer header (downloads by signed URL, no auth at all). */
  headers?: Record<string, string>;
  form?: FormData;
  expected: number;
}

/** Signed-URL query of `url` moved onto another file id / variant. */
const resign = (url: string, fileId: string, thumb = false) =>
  `/files/${fileId}${thumb ? "/thumb" : ""}${url.slice(url.indexOf("?"))}`;

function casesFor(a: Owned, b: Owned): Record<string, Case[]> {
  const sA = `/api/chat/sessions/${a.sessionId}`;
  const sB = `/api/chat/sessions/${b.sessionId}`;
  const noAuth = { authorization: "" };
  const form = () => {
    const data = new FormData();
    data.append("file", new Blob([new Uint8Array(makePng(4, 4))], { type: "image/png" }), "b.png");
    return data;
  };
  return {
    // Public or id-free: no foreign id to swap in; what they answer must still hold nothing of A's.
    "GET /healthz": [{ label: "health", path: "/healthz", expected: 200 }],
    "GET /readyz": [{ label: "ready", path: "/readyz", expected: 200 }],
    "GET /metrics": [{ label: "metrics (no registry in tests)", path: "/metrics", expected: 404 }],
    "GET /docs": [{ label: "docs page", path: "/docs/", expected: 200 }],
    "GET /docs/docs.js": [{ label: "docs script", path: "/docs/docs.js", expected: 200 }],
    "GET /docs/docs.css": [{ label: "docs style", path: "/docs/docs.css", expected: 200 }],
    "GET /api/chat/openapi.json": [{ label: "openapi", path: "/api/chat/openapi.json", expected: 200 }],
    "POST /api/chat/sessions": [
      {
        label: "create, A's id in metadata",
        path: "/api/chat/sessions",
        body: { metadata: { s: a.sessionId } },
        expected: 201,
      },
    ],
    "GET /api/chat/sessions": [
      { label: "B's list", path: "/api/chat/sessions?limit=100", expected: 200 },
      { label: "B's archived list", path: "/api/chat/sessions?status=archived", expected: 200 },
    ],
    "GET /api/chat/search": [
      { label: "search A's text", path: `/api/chat/search?q=${a.marks[0]}`, expected: 200 },
      { label: "search in A's session", path: `/api/chat/search?q=secret&session_id=${a.sessionId}`, expected: 404 },
    ],
    // A's session.
    "GET /api/chat/sessions/:sessionId": [{ label: "detail", path: sA, expected: 404 }],
    "PATCH /api/chat/sessions/:sessionId": [
      { label: "rename", path: sA, body: { title: "mine" }, expected: 404 },
      { label: "archive", path: sA, body: { status: "archived" }, expected: 404 },
    ],
    "DELETE /api/chat/sessions/:sessionId": [{ label: "delete", path: sA, expected: 404 }],
    "POST /api/chat/sessions/:sessionId/restore": [{ label: "restore", path: `${sA}/restore`, expected: 404 }],
    "GET /api/chat/sessions/:sessionId/participants": [{ label: "members", path: `${sA}/participants`, expected: 404 }],
    "POST /api/chat/sessions/:sessionId/participants": [
      { label: "add self", path: `${sA}/participants`, body: { user_id: b.userId }, expected: 404 },
    ],
    "DELETE /api/chat/sessions/:sessionId/participants/:userId": [
      { label: "remove owner A", path: `${sA}/participants/${a.userId}`, expected: 404 },
      { label: "remove self", path: `${sA}/participants/${b.userId}`, expected: 404 },
      { label: "remove A from B's", path: `${sB}/participants/${a.userId}`, expected: 404 },
    ],
    "GET /api/chat/sessions/:sessionId/messages": [
      { label: "history", path: `${sA}/messages`, expected: 404 },
      { label: "history after 0", path: `${sA}/messages?after=0`, expected: 404 },
    ],
    "POST /api/chat/sessions/:sessionId/messages": [
      { label: "post", path: `${sA}/messages`, body: { content: "hi" }, expected: 404 },
    ],
    "PATCH /api/chat/sessions/:sessionId/messages/:messageId": [
      { label: "edit in A's", path: `${sA}/messages/${a.messageId}`, body: { content: "x" }, expected: 404 },
      { label: "edit A's via B's", path: `${sB}/messages/${a.messageId}`, body: { content: "x" }, expected: 404 },
    ],
    "POST /api/chat/sessions/:sessionId/read": [{ label: "read", path: `${sA}/read`, body: { seq: 1 }, expected: 404 }],
    "POST /api/chat/sessions/:sessionId/files": [
      { label: "upload into A's", path: `${sA}/files`, form: form(), expected: 404 },
    ],
    "GET /api/chat/files/:fileId": [
      { label: "file info", path: `/api/chat/files/${a.fileId}`, expected: 404 },
      { label: "loose file info", path: `/api/chat/files/${a.looseFileId}`, expected: 404 },
    ],
    // SSE and reply controls.
    "POST /api/chat/sessions/:sessionId/messages/stream": [
      { label: "stream into A's", path: `${sA}/messages/stream`, body: { content: "hi" }, expected: 404 },
    ],
    "GET /api/chat/sessions/:sessionId/messages/:messageId/stream": [
      { label: "resume A's reply", path: `${sA}/messages/${a.replyId}/stream`, expected: 404 },
      { label: "resume A's queued reply", path: `${sA}/messages/${a.queuedReplyId}/stream`, expected: 404 },
      { label: "A's reply via B's", path: `${sB}/messages/${a.replyId}/stream`, expected: 404 },
      { label: "A's queued via B's", path: `${sB}/messages/${a.queuedReplyId}/stream`, expected: 404 },
      {
        label: "A's reply via B's, Last-Event-ID",
        path: `${sB}/messages/${a.replyId}/stream?last_event_id=1:0`,
        expected: 404,
      },
    ],
    "POST /api/chat/sessions/:sessionId/messages/:messageId/cancel": [
      { label: "cancel in A's", path: `${sA}/messages/${a.queuedReplyId}/cancel`, expected: 404 },
      { label: "cancel A's queued via B's", path: `${sB}/messages/${a.queuedReplyId}/cancel`, expected: 404 },
      { label: "cancel A's reply via B's", path: `${sB}/messages/${a.replyId}/cancel`, expected: 404 },
    ],
    "POST /api/chat/sessions/:sessionId/messages/:messageId/regenerate": [
      { label: "regenerate in A's", path: `${sA}/messages/${a.messageId}/regenerate`, expected: 404 },
      { label: "regenerate A's via B's", path: `${sB}/messages/${a.messageId}/regenerate`, expected: 404 },
      { label: "regenerate A's reply via B's", path: `${sB}/messages/${a.replyId}/regenerate`, expected: 404 },
    ],
    // Downloads: bearer of a non-participant is 404; a signed URL works only for its file and variant (403).
    "GET /files/:fileId": [
      { label: "download, B's bearer", path: `/files/${a.fileId}`, expected: 404 },
      { label: "download, no auth", path: `/files/${a.fileId}`, headers: noAuth, expected: 401 },
      { label: "B's signature on A's file", path: resign(b.fileUrl, a.fileId), headers: noAuth, expected: 403 },
      { label: "A's thumb signature on A's file", path: resign(a.thumbUrl, a.fileId), headers: noAuth, expected: 403 },
      {
        label: "A's signature on B's loose file",
        path: resign(a.fileUrl, b.looseFileId),
        headers: noAuth,
        expected: 403,
      },
      { label: "HEAD, B's bearer", method: "HEAD", path: `/files/${a.fileId}`, expected: 404 },
    ],
    "GET /files/:fileId/thumb": [
      { label: "thumb, B's bearer", path: `/files/${a.fileId}/thumb`, expected: 404 },
      { label: "B's thumb signature on A's", path: resign(b.thumbUrl, a.fileId, true), headers: noAuth, expected: 403 },
      {
        label: "A's file signature on A's thumb",
        path: resign(a.fileUrl, a.fileId, true),
        headers: noAuth,
        expected: 403,
      },
    ],
  };
}

describe("authorization matrix: B with A's identifiers", { timeout: 60_000 }, () => {
  const stack = useStack({ worker: false });
  let a: Owned;
  let b: Owned;
  let secrets: string[];
  const tally = { cases: 0, passed: 0, leaks: 0 };
  beforeAll(async () => {
    [a, b] = (await seedOwners(stack(), ["alice", "bob"])) as [Owned, Owned];
    secrets = secretsOf(a);
  }, 60_000);
  afterAll(() =>
    reportSuiteFigure({ section: "authz", name: "B swaps in A's ids (REST, SSE, files, WS)", figures: tally }),
  );

  /**
   * One verdict per case: counted, and a readable failure list instead of the first mismatch.
   * An id B sent itself may be echoed (`query` of a search, the user id of a refused removal):
   * that tells B nothing, so `sent` is left out of that case's secrets; the others still count.
   */
  function judge(label: string, got: string, expected: string, body: string, sent = ""): string | undefined {
    tally.cases += 1;
    const leaked = leaksIn(body, secrets).filter((secret) => !sent.includes(secret));
    tally.leaks += leaked.length;
    if (got === expected && leaked.length === 0) {
      tally.passed += 1;
      return undefined;
    }
    return `${label}: got ${got}, expected ${expected}${leaked.length ? `, leaked ${leaked.join(", ")}` : ""}`;
  }

  it("has a case for every route the app serves", () => {
    const routes = listRoutes(stack().api.app).sort();
    expect(routes).toEqual(Object.keys(casesFor(a, b)).sort());
  });

  it("REST, SSE and downloads: the documented refusal, none of A's data", async () => {
    const token = await stack().token(b.userId);
    const all = Object.entries(casesFor(a, b)).flatMap(([route, cases]) =>
      cases.map((c) => ({ ...c, method: c.method ?? route.split(" ")[0] ?? "GET" })),
    );
    const failures = await Promise.all(
      all.map(async (c) => {
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...c.headers };
        if (!headers.authorization) delete headers.authorization;
        if (c.body !== undefined) headers["content-type"] = "application/json";
        const response = await fetch(`${stack().apiUrl}${c.path}`, {
          method: c.method,
          headers,
          body: c.form ?? (c.body === undefined ? undefined : JSON.stringify(c.body)),
          signal: AbortSignal.timeout(10_000),
        });
        // An SSE answer would never end: what matters is that it was not one.
        const sse = response.headers.get("content-type")?.startsWith("text/event-stream");
        const text = sse ? "(event stream)" : await response.text();
        if (sse) await response.body?.cancel();
        const everything = `${text}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}`;
        const sent = `${c.path} ${JSON.stringify(c.body ?? "")}`;
        return judge(
          `${c.method} ${c.path} (${c.label})`,
          String(response.status),
          String(c.expected),
          everything,
          sent,
        );
      }),
    );
    expect(failures.filter(Boolean)).toEqual([]);
    // Nothing B tried changed A's things.
    const detail = await stack().request(a.userId, "GET", `/api/chat/sessions/${a.sessionId}`);
    expect(detail.body).toMatchObject({ status: "active", participants: [a.userId], title: `${a.marks[0]}-title` });
    expect((await stack().repo.getFile(a.looseFileId))?.messageId).toBeNull();
  });

  it("WS: connecting to A's session is 4404; frames carrying A's ids are refused; nothing of A's arrives", async () => {
    const tokenB = await stack().token(b.userId);
    const intoA = await Promise.all(
      ([{}, { since_seq: "0" }] as Record<string, string>[]).map(async (query) => {
        await using socket = openSocket(stack().wsUrl(a.sessionId, tokenB, 0, query));
        const { code } = await socket.closed;
        return judge(
          `WS /ws/A ${JSON.stringify(query)}`,
          String(code),
          String(CloseCode.NotFound),
          JSON.stringify(socket.frames),
        );
      }),
    );

    await using socket = openSocket(stack().wsUrl(b.sessionId, tokenB, 0, { since_seq: "0" }));
    await socket.next("ready");
    /** Per frame type, what B sends and the error it must get (undefined: a frame with no id to swap). */
    const frames: Record<keyof typeof clientFrameSchemas, { frame: object; error?: string }[]> = {
      message: [{ frame: { type: "message", content: "b says", client_msg_id: "b-1" } }],
      typing: [{ frame: { type: "typing", is_typing: true } }],
      file: [
        { frame: { type: "file", file_id: a.looseFileId, client_msg_id: "b-2" }, error: "NOT_FOUND" },
        { frame: { type: "file", file_id: a.fileId, client_msg_id: "b-3" }, error: "NOT_FOUND" },
      ],
      cancel: [
        { frame: { type: "cancel", message_id: a.queuedReplyId }, error: "NOT_FOUND" },
        { frame: { type: "cancel", message_id: a.replyId }, error: "NOT_FOUND" },
      ],
      sync: [{ frame: { type: "sync", since_seq: 0 } }],
      read: [{ frame: { type: "read", seq: 1_000_000 } }],
      ping: [{ frame: { type: "ping" } }],
    };
    const sent = Object.values(frames).flat();
    for (const { frame } of sent) socket.send(frame);
    socket.send({ type: "ping" }); // frames of one socket run in order: the last pong means all were handled
    await socket.next("pong", () => socket.frames.filter((f) => f.type === "pong").length === 2);
    // A talks in A's session meanwhile: none of it may reach B's socket.
    await stack().request(a.userId, "POST", `/api/chat/sessions/${a.sessionId}/messages`, { content: a.marks[0] });

    const errors = socket.frames.filter((f) => f.type === "error");
    const frameFailures = sent
      .filter((s) => s.error)
      .map((s) => {
        const id = "file_id" in s.frame ? s.frame.file_id : "message_id" in s.frame ? s.frame.message_id : "";
        const ref = "client_msg_id" in s.frame ? s.frame.client_msg_id : id;
        const got = errors.find((e) => e.type === "error" && e.ref === ref);
        return judge(
          `WS frame ${JSON.stringify(s.frame)}`,
          String(got?.type === "error" && got.code),
          String(s.error),
          "",
        );
      });
    // An error frame's `ref` echoes the id B sent; everything else must be free of A's.
    const everything = JSON.stringify(socket.frames.map((f) => (f.type === "error" ? { ...f, ref: undefined } : f)));
    const streamFailure = judge("WS frames B received", "clean", "clean", everything);
    expect([...intoA, ...frameFailures, streamFailure].filter(Boolean)).toEqual([]);
    expect(errors).toHaveLength(sent.filter((s) => s.error).length);
    expect((await stack().repo.getFile(a.looseFileId))?.messageId).toBeNull();
  });
});
