import { request } from "node:http";
import { createUrlSigner } from "@chat/api";
import { describe, expect, it } from "vitest";
import {
  eventually,
  listFiles,
  makePdf,
  makePng,
  rawMultipart,
  startStack,
  TEST_SECRET,
  type TestStack,
  uploadFile,
  uploadRaw,
} from "../src";

const LIMIT = 64 * 1024;

async function sessionOf(stack: TestStack, userId = "alice") {
  return (await stack.request(userId, "POST", "/api/chat/sessions", {})).body.session_id as string;
}

/** Nothing of a refused upload is left: no stored bytes, no row, no message. */
async function expectNothingLeft(stack: TestStack, sessionId: string) {
  expect(await listFiles(stack.filesDir)).toEqual([]);
  expect(await stack.repo.listFilesBySession(sessionId)).toEqual([]);
  expect(await stack.repo.countMessages(sessionId)).toBe(0);
}

describe("files: attacks", () => {
  it("stores a PNG named .pdf (and claimed as a PDF) as image/png", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = await sessionOf(stack);
    const up = await uploadFile(stack, "alice", sessionId, {
      data: makePng(8, 8),
      name: "invoice.pdf",
      type: "application/pdf",
    });
    expect(up.status).toBe(201);
    expect(up.body.file_info).toMatchObject({ name: "invoice.pdf", type: "image/png" });
    const response = await fetch(`${stack.apiUrl}${up.body.file_url}`);
    expect(response.headers.get("content-type")).toBe("image/png");
  });

  it("refuses HTML and SVG sent with an image content type (415), leaving nothing", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = await sessionOf(stack);
    const html = "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
    const svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>';
    for (const [data, name] of [
      [html, "cat.png"],
      [`  \n<script>alert(1)</script>`, "cat.jpg"],
      [svg, "logo.png"],
      ['<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.png"],
    ] as const) {
      const up = await uploadFile(stack, "alice", sessionId, { data, name, type: "image/png" });
      expect(up.status, name).toBe(415);
      expect(up.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    await expectNothingLeft(stack, sessionId);
  });

  it("refuses text that is not UTF-8 or has NUL bytes, and unknown binaries (415)", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = await sessionOf(stack);
    const latin1 = Buffer.from("caf\xe9 au lait", "latin1");
    const withNul = Buffer.from("hello\0world");
    // Valid UTF-8 at first, broken past the sniffed head: the whole stream is checked.
    const lateBreak = Buffer.concat([Buffer.alloc(10_000, "a"), Buffer.from([0xc3, 0x28])]);
    for (const data of [latin1, withNul, lateBreak, Buffer.from([0x00, 0x01, 0x02, 0xff])]) {
      const up = await uploadFile(stack, "alice", sessionId, { data, name: "a.txt", type: "text/plain" });
      expect(up.status).toBe(415);
    }
    await expectNothingLeft(stack, sessionId);
  });

  it("keeps a file name with ../ and NUL only as cleaned display text; the bytes stay under the root", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = await sessionOf(stack);
    // A NUL written raw into the part header is malformed multipart: refused outright.
    const rawNul = rawMultipart([{ name: "file", filename: "../../evil\0.txt", data: "payload\n" }]);
    expect((await uploadRaw(stack, "alice", sessionId, rawNul)).status).toBe(400);
    // Percent-encoded (RFC 5987), the NUL and the path parts reach the name cleaner.
    const multipart = rawMultipart([
      {
        name: "file",
        filenameStar: "UTF-8''..%2F..%2F..%2Fetc%2Fcron.d%2Fevil%00.txt",
        type: "text/plain",
        data: "payload\n",
      },
      { name: "message", data: "hi" },
    ]);
    const up = await uploadRaw(stack, "alice", sessionId, multipart);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.file_info.name).toBe("evil.txt");
    const backslashes = await uploadRaw(
      stack,
      "alice",
      sessionId,
      rawMultipart([{ name: "file", filenameStar: "UTF-8''..%5C..%5C%E2%80%AEtxt.exe%07", data: "x" }]),
    );
    expect(backslashes.body.file_info.name).toBe("txt.exe");
    const stored = await listFiles(stack.filesDir);
    expect(stored).toHaveLength(2);
    for (const key of stored) expect(key).toMatch(/^[A-Za-z0-9_-]{2}\/file_[A-Za-z0-9_-]+$/);
    const row = await stack.repo.getFile(up.body.file_id);
    expect(row?.fileName).toBe("evil.txt");
  });

  it("refuses extra parts: two files, unknown fields, two messages, no file (400), leaving nothing", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = await sessionOf(stack);
    const file = { name: "file", filename: "a.txt", data: "hello" };
    const bodies = {
      "two files": [file, { ...file, filename: "b.txt" }],
      "unknown field": [file, { name: "user_id", data: "mallory" }],
      "two messages": [file, { name: "message", data: "a" }, { name: "message", data: "b" }],
      "no file": [{ name: "message", data: "hi" }],
      "file under another name": [{ ...file, name: "upload" }],
    };
    for (const [name, parts] of Object.entries(bodies)) {
      const up = await uploadRaw(stack, "alice", sessionId, rawMultipart(parts));
      expect(up.status, name).toBe(400);
    }
    const notMultipart = await stack.request("alice", "POST", `/api/chat/sessions/${sessionId}/files`, { file: "x" });
    expect(notMultipart.status).toBe(400);
    await expectNothingLeft(stack, sessionId);
  });

  it("refuses a pixel bomb (a tiny PNG declaring 30000x30000) and leaves nothing", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = await sessionOf(stack);
    const bomb = makePng(16, 16, { width: 30_000, height: 30_000 });
    expect(bomb.length).toBeLessThan(2_000);
    const up = await uploadFile(stack, "alice", sessionId, { data: bomb, name: "bomb.png", type: "image/png" });
    expect(up.status).toBe(413);
    expect(up.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: expect.stringMatching(/pixels/) });
    await expectNothingLeft(stack, sessionId);
  });

  it("takes a file of exactly MAX_FILE_SIZE and refuses one byte more (413), leaving nothing of it", async () => {
    await using stack = await startStack({ worker: false, files: { maxFileSize: LIMIT } });
    const sessionId = await sessionOf(stack);
    const atLimit = await uploadFile(stack, "alice", sessionId, { data: makePdf(LIMIT - makePdf().length) });
    expect(atLimit.status).toBe(201);
    expect(atLimit.body.file_info.size).toBe(LIMIT);
    const over = await uploadFile(stack, "alice", sessionId, {
      data: makePdf(LIMIT + 1 - makePdf().length),
      message: "x",
    });
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await listFiles(stack.filesDir)).toHaveLength(1);
    expect((await stack.repo.listFilesBySession(sessionId)).map((f) => f.fileId)).toEqual([atLimit.body.file_id]);
    expect(await stack.repo.countMessages(sessionId)).toBe(1);
    // Far past the limit by its declared length: refused before a byte is read.
    const huge = await uploadFile(stack, "alice", sessionId, { data: Buffer.alloc(LIMIT * 8, 0x41) });
    expect(huge.status).toBe(413);
    expect(await listFiles(stack.filesDir)).toHaveLength(1);
  });

  it("leaves nothing behind when the client aborts mid-upload", async () => {
    await using stack = await startStack({ worker: false, files: { maxFileSize: 4 * 1024 * 1024 } });
    const sessionId = await sessionOf(stack);
    const multipart = rawMultipart([{ name: "file", filename: "big.pdf", data: makePdf(3 * 1024 * 1024) }]);
    const url = new URL(`${stack.apiUrl}/api/chat/sessions/${sessionId}/files`);
    const req = request(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await stack.token("alice")}`,
        "content-type": multipart.contentType,
        "content-length": multipart.body.length,
      },
    });
    req.on("error", () => {});
    // Send half, wait until the server is writing it to storage, then vanish.
    req.write(multipart.body.subarray(0, multipart.body.length / 2));
    await eventually(async () => (await listFiles(stack.filesDir)).some((f) => f.endsWith(".part")));
    req.destroy();
    await eventually(async () => (await listFiles(stack.filesDir)).length === 0);
    await expectNothingLeft(stack, sessionId);
  });

  it("answers 404 for another user's file_id, exactly as for one that does not exist", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = await sessionOf(stack, "alice");
    const up = await uploadFile(stack, "alice", sessionId, { data: makePng(8, 8), name: "private.png" });
    const asBob = { authorization: `Bearer ${await stack.token("bob")}` };
    for (const path of [`/files/${up.body.file_id}`, `/files/${up.body.file_id}/thumb`, "/files/file_nope"]) {
      const response = await fetch(`${stack.apiUrl}${path}`, { headers: asBob });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ error: { code: "NOT_FOUND", message: "File not found" } });
    }
    expect((await stack.request("bob", "GET", `/api/chat/files/${up.body.file_id}`)).status).toBe(404);
    // Bob cannot upload into Alice's session either.
    expect((await uploadFile(stack, "bob", sessionId, { data: "hi" })).status).toBe(404);
    // No credentials at all: 401.
    expect((await fetch(`${stack.apiUrl}/files/${up.body.file_id}`)).status).toBe(401);
  });

  it("refuses an expired or tampered signed URL with 403, before looking the file up", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = await sessionOf(stack);
    const up = await uploadFile(stack, "alice", sessionId, { data: makePng(8, 8), name: "a.png" });
    expect((await fetch(`${stack.apiUrl}${up.body.file_url}`)).status).toBe(200);
    const fileId = up.body.file_id as string;
    const past = createUrlSigner({ secret: TEST_SECRET, ttlSeconds: 10, now: () => Date.now() - 60_000 });
    const otherKey = createUrlSigner({ secret: "not-the-server-secret" });
    const signed = new URL(up.body.file_url, stack.apiUrl);
    const sig = signed.searchParams.get("sig") ?? "";
    const tampered = `${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`;
    const cases = {
      expired: past.sign(fileId, "file"),
      "wrong key": otherKey.sign(fileId, "file"),
      "tampered sig": `/files/${fileId}?exp=${signed.searchParams.get("exp")}&sig=${tampered}`,
      "later exp": `/files/${fileId}?exp=${Number(signed.searchParams.get("exp")) + 3_600}&sig=${sig}`,
      "file URL used for the thumbnail": `/files/${fileId}/thumb?${signed.searchParams}`,
      "another file": `/files/file_other?${signed.searchParams}`,
      "no sig": `/files/${fileId}?exp=${signed.searchParams.get("exp")}`,
    };
    for (const [name, path] of Object.entries(cases)) {
      const response = await fetch(`${stack.apiUrl}${path}`);
      expect(response.status, name).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    }
  });
});
