import { parse as parseQuery } from "node:querystring";
import {
  addParticipantRequest,
  createSessionRequest,
  editMessageRequest,
  errorEnvelope,
  findUnstorable,
  listMessagesQuery,
  listSessionsQuery,
  markReadRequest,
  parseWith,
  postMessageRequest,
  searchQuery,
  streamMessageRequest,
  updateSessionRequest,
} from "@chat/protocol";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  hostileValue,
  jsonText,
  memoryGrowthMb,
  mutatedJson,
  reportSuiteFigure,
  settledMemory,
  uniqueUser,
  useStack,
} from "../src";

// Issue 9: hostile bodies and query strings against the running api. Never a 500; every refusal
// is a 4xx in the error envelope, and a body the schema refuses gets a VALIDATION_ERROR naming
// the same field the protocol's validator names.
const stack = useStack({ worker: false });

const owner = uniqueUser("fuzz-owner");
let sessionId = "";
let messageId = "";
const accepted = new Set<string>();
const figures = { inputs: 0, server_errors: 0, refused: 0 };
let memoryBefore = { heap: 0, rss: 0 };

/** A protocol schema (the tests package does not depend on zod itself). */
type Schema = Parameters<typeof parseWith>[0];

interface Answer {
  status: number;
  body: unknown;
}

async function send(method: string, path: string, body?: string | Uint8Array, type = "application/json") {
  const headers: Record<string, string> = { authorization: `Bearer ${await stack().token(owner)}` };
  if (body !== undefined && type) headers["content-type"] = type;
  const response = await fetch(`${stack().apiUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, body: json } satisfies Answer;
}

/** Every answer: no 5xx, and a refusal is `{error:{code,message}}` with a catalog code. */
function checkAnswer(answer: Answer, input: string): void {
  const what = input.slice(0, 300);
  figures.inputs += 1;
  if (answer.status >= 500) figures.server_errors += 1;
  expect(answer.status, `${what} → ${JSON.stringify(answer.body)}`).toBeLessThan(500);
  if (answer.status < 400) return;
  figures.refused += 1;
  const envelope = errorEnvelope.safeParse(answer.body);
  expect(envelope.success, `${what} → ${JSON.stringify(answer.body)}`).toBe(true);
  expect(envelope.data?.error.message.length).toBeGreaterThan(0);
}

/** What the api must answer to `text` as a JSON body for `schema`, by the protocol's validator. */
function expectForBody(schema: Schema, text: string, answer: Answer): Record<string, unknown> | undefined {
  const received = new TextDecoder().decode(new TextEncoder().encode(text));
  let value: unknown = {};
  try {
    // An empty body is no body: the route sees `{}`.
    if (received !== "") value = JSON.parse(received);
  } catch {
    expect(answer).toMatchObject({ status: 400, body: { error: { code: "INVALID_JSON" } } });
    return undefined;
  }
  // body-parser's strict mode: only an object or an array is a body.
  if (typeof value !== "object" || value === null) {
    expect(answer).toMatchObject({ status: 400, body: { error: { code: "INVALID_JSON" } } });
    return undefined;
  }
  const expected = parseWith(schema, value);
  if (expected.ok) return expected.value as Record<string, unknown>;
  const path = expected.error.details?.[0]?.path ?? "";
  expect(answer).toMatchObject({
    status: 400,
    body: { error: { code: "VALIDATION_ERROR", details: expect.arrayContaining([expect.objectContaining({ path })]) } },
  });
  expect((answer.body as { error: { message: string } }).error.message).toContain(path);
  return undefined;
}

const text = (max = 40) => fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim() !== "");
const metadata = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

interface BodyRoute {
  name: string;
  method: string;
  path: () => string;
  schema: Schema;
  valid: fc.Arbitrary<Record<string, unknown>>;
  /** Content of a message this route stores when it accepts the body. */
  stores?: (value: Record<string, unknown>) => string | undefined;
}

const routes: BodyRoute[] = [
  {
    name: "create session",
    method: "POST",
    path: () => "/api/chat/sessions",
    schema: createSessionRequest,
    valid: fc.record({ title: text(), metadata }, { requiredKeys: [] }),
  },
  {
    name: "patch session",
    method: "PATCH",
    path: () => `/api/chat/sessions/${sessionId}`,
    schema: updateSessionRequest,
    valid: fc.record({ title: text(), metadata, status: fc.constant("active") }, { requiredKeys: ["title"] }),
  },
  {
    name: "add participant",
    method: "POST",
    path: () => `/api/chat/sessions/${sessionId}/participants`,
    schema: addParticipantRequest,
    valid: fc.record({ user_id: fc.stringMatching(/^[a-z]{3,12}$/), role: fc.constant("member") }),
  },
  {
    name: "post message",
    method: "POST",
    path: () => `/api/chat/sessions/${sessionId}/messages`,
    schema: postMessageRequest,
    valid: fc.record(
      { content: text(), client_msg_id: fc.stringMatching(/^[a-z0-9]{8,16}$/), metadata },
      { requiredKeys: ["content"] },
    ),
    stores: (value) => value.content as string,
  },
  {
    name: "edit message",
    method: "PATCH",
    path: () => `/api/chat/sessions/${sessionId}/messages/${messageId}`,
    schema: editMessageRequest,
    valid: fc.record({ content: text() }),
    stores: (value) => value.content as string,
  },
  {
    name: "mark read",
    method: "POST",
    path: () => `/api/chat/sessions/${sessionId}/read`,
    schema: markReadRequest,
    valid: fc.record({ seq: fc.nat({ max: 1_000 }) }),
  },
  {
    // The session has no agent: a valid body is a 409, never a stream that waits for a worker.
    name: "stream message",
    method: "POST",
    path: () => `/api/chat/sessions/${sessionId}/messages/stream`,
    schema: streamMessageRequest,
    valid: fc.record({ content: text(), stream: fc.boolean() }),
  },
];

beforeAll(async () => {
  memoryBefore = settledMemory();
  const created = await stack().request(owner, "POST", "/api/chat/sessions", { title: "fuzz" });
  sessionId = created.body.session_id;
  const posted = await stack().request(owner, "POST", `/api/chat/sessions/${sessionId}/messages`, { content: "seed" });
  messageId = posted.body.message_id;
  accepted.add("seed");
});

describe("fuzzing REST bodies against a running api", () => {
  it.each(routes)("$name: mutated JSON bodies get a 4xx naming the field, never a 500", async (route) => {
    const bodies = fc.sample(fc.oneof({ weight: 6, arbitrary: mutatedJson(route.valid) }, route.valid.map(jsonText)), {
      numRuns: 70,
      seed: 9,
    });
    for (const body of bodies) {
      const answer = await send(route.method, route.path(), body);
      checkAnswer(answer, `${route.name} ${body.slice(0, 200)}`);
      const value = expectForBody(route.schema, body, answer);
      const content = value && answer.status < 300 ? route.stores?.(value) : undefined;
      if (content !== undefined) accepted.add(content);
    }
  });

  it("refuses other content types (415), invalid UTF-8 (400), oversize bodies (413)", async () => {
    const valid = jsonText({ content: "hello" });
    const path = `/api/chat/sessions/${sessionId}/messages`;
    const types = [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "application/merge-patch+json",
      "",
    ];
    for (const type of types) {
      const answer = await send("POST", path, valid, type);
      checkAnswer(answer, `content-type ${type}`);
      expect(answer).toMatchObject({ status: 415, body: { error: { code: "UNSUPPORTED_MEDIA_TYPE" } } });
    }
    const latin1 = await send("POST", path, valid, "application/json; charset=latin1");
    checkAnswer(latin1, "charset latin1");
    expect(latin1.status).toBe(415);

    const bad = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xe2, 0x82]];
    for (const bytes of bad) {
      const body = new Uint8Array([...new TextEncoder().encode('{"content":"a'), ...bytes, 0x22, 0x7d]);
      const answer = await send("POST", path, body);
      checkAnswer(answer, `utf-8 ${bytes}`);
      expect(answer).toMatchObject({ status: 400, body: { error: { code: "INVALID_JSON" } } });
    }

    for (const body of [jsonText({ content: "x".repeat(300_000) }), `[${"1,".repeat(200_000)}1]`]) {
      const answer = await send("POST", path, body);
      checkAnswer(answer, "oversize");
      expect(answer).toMatchObject({ status: 413, body: { error: { code: "PAYLOAD_TOO_LARGE" } } });
    }
  });

  it("query strings and path segments: a 4xx naming the field, never a 500", async () => {
    const piece = fc.oneof(
      // Cut to 2,000 characters: longer URLs meet Node's header limit (431) before the api.
      hostileValue.map((v) => (typeof v === "string" ? v : jsonText(v)).slice(0, 2_000)),
      fc.constantFrom("%", "%FF", "%ED%A0%80", "%00", "a%00b", "1e308", "-1", "NaN", "9007199254740993"),
      fc.string({ unit: "binary", maxLength: 20 }),
    );
    const encode = (s: string) => (s.startsWith("%") || s.includes("%00") ? s : encodeURIComponent(s));
    const cases = fc.sample(
      fc.tuple(
        fc.constantFrom(
          ["/api/chat/search", searchQuery, ["q", "session_id", "limit"]] as const,
          ["/api/chat/sessions", listSessionsQuery, ["status", "agent_id", "limit", "offset"]] as const,
          [`/api/chat/sessions/{s}/messages`, listMessagesQuery, ["limit", "before", "after"]] as const,
        ),
        fc.array(fc.tuple(fc.nat(), piece), { minLength: 1, maxLength: 3 }),
      ),
      { numRuns: 150, seed: 9 },
    );
    for (const [[path, schema, fields], pairs] of cases) {
      const query = pairs.map(([i, v]) => `${fields[i % fields.length]}=${encode(v)}`).join("&");
      const answer = await send("GET", `${path.replace("{s}", sessionId)}?${query}`);
      checkAnswer(answer, `GET ${path}?${query}`);
      let decoded: Record<string, unknown>;
      try {
        decoded = { ...parseQuery(query) };
      } catch {
        continue;
      }
      const expected = parseWith(schema, decoded);
      if (!expected.ok) {
        expect(answer, `GET ${path}?${query}`).toMatchObject({
          status: 400,
          body: { error: { code: "VALIDATION_ERROR" } },
        });
      }
    }

    const segments = fc.sample(piece.map(encode), { numRuns: 60, seed: 9 });
    for (const segment of segments) {
      for (const [method, path] of [
        ["GET", `/api/chat/sessions/${segment}`],
        ["POST", `/api/chat/sessions/${sessionId}/messages/${segment}/cancel`],
        ["POST", `/api/chat/sessions/${sessionId}/messages/${segment}/regenerate`],
        ["PATCH", `/api/chat/sessions/${sessionId}/messages/${segment}`],
      ] as const) {
        const answer = await send(method, path, method === "GET" ? undefined : jsonText({ content: "x" }));
        checkAnswer(answer, `${method} ${path}`);
      }
    }
  });

  it("stored nothing it refused, and nothing reached Object.prototype", async () => {
    const stored = await stack().repo.messagesSince(sessionId, 0, 10_000);
    for (const row of stored) {
      expect(accepted).toContain(row.content);
      expect(findUnstorable({ content: row.content, metadata: row.metadata })).toBeUndefined();
    }
    const sessions = await stack().request(owner, "GET", "/api/chat/sessions?limit=100");
    for (const session of sessions.body.sessions) expect(findUnstorable(session)).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(figures.server_errors).toBe(0);
    reportSuiteFigure({
      section: "fuzz",
      name: "REST bodies, query strings, paths",
      figures: {
        ...figures,
        stored: stored.length,
        crashes: 0,
        // This process: the api, and the client with its inputs (RSS keeps their peak).
        ...memoryGrowthMb(memoryBefore, settledMemory()),
      },
    });
  });
});
