import { describe, expect, it } from "vitest";
import { listFiles, makePdf, makePng, openSocket, startStack, uploadFile } from "../src";

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe("files: upload and download (local storage)", () => {
  it("stores an image, sends a file message live, and serves it and its thumbnail", async () => {
    await using stack = await startStack({ worker: false });
    const { body: session } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    await using socket = openSocket(stack.wsUrl(session.session_id, await stack.token("alice")));
    await socket.next("ready");
    const png = makePng(640, 480);

    const up = await uploadFile(stack, "alice", session.session_id, {
      data: png,
      name: "screenshot.png",
      type: "image/png",
      message: "이 이미지를 분석해주세요.",
    });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body).toEqual({
      file_id: expect.stringMatching(/^file_/),
      file_url: expect.stringMatching(new RegExp(`^/files/${up.body.file_id}\\?exp=\\d+&sig=`)),
      thumbnail_url: expect.stringMatching(new RegExp(`^/files/${up.body.file_id}/thumb\\?exp=\\d+&sig=`)),
      message_id: expect.stringMatching(/^msg_/),
      file_info: { name: "screenshot.png", type: "image/png", size: png.length },
    });

    const frame = await socket.next("message", (f) => f.message_id === up.body.message_id);
    expect(frame).toMatchObject({
      seq: 1,
      message_type: "file",
      content: "이 이미지를 분석해주세요.",
      metadata: {
        file: {
          file_id: up.body.file_id,
          name: "screenshot.png",
          type: "image/png",
          size: png.length,
          url: `/files/${up.body.file_id}`,
          thumbnail_url: `/files/${up.body.file_id}/thumb`,
        },
      },
    });
    const row = await stack.repo.getFile(up.body.file_id);
    expect(row).toMatchObject({ messageId: up.body.message_id, sessionId: session.session_id, uploadedBy: "alice" });
    expect(row?.sha256).toMatch(/^[0-9a-f]{64}$/);

    // Signed URL: works without any header (an <img src>).
    const file = await get(`${stack.apiUrl}${up.body.file_url}`);
    expect(file.response.status).toBe(200);
    expect(file.bytes.equals(png)).toBe(true);
    expect(Object.fromEntries(file.response.headers)).toMatchObject({
      "content-type": "image/png",
      "x-content-type-options": "nosniff",
      etag: `"${row?.sha256}"`,
      "accept-ranges": "bytes",
    });
    expect(file.response.headers.get("content-security-policy")).toMatch(/^sandbox/);
    expect(file.response.headers.get("content-disposition")).toMatch(/^inline; /);

    const thumb = await get(`${stack.apiUrl}${up.body.thumbnail_url}`);
    expect(thumb.response.status).toBe(200);
    expect(thumb.response.headers.get("content-type")).toBe("image/webp");
    expect(thumb.bytes.subarray(8, 12).toString("latin1")).toBe("WEBP");
    expect(thumb.bytes.length).toBeLessThan(png.length);

    // Bearer works too, and conditional and range requests are honoured.
    const bearer = { authorization: `Bearer ${await stack.token("alice")}` };
    const url = `${stack.apiUrl}/files/${up.body.file_id}`;
    expect((await get(url, bearer)).response.status).toBe(200);
    expect((await get(url, { ...bearer, "if-none-match": `"${row?.sha256}"` })).response.status).toBe(304);
    const part = await get(url, { ...bearer, range: "bytes=0-7" });
    expect(part.response.status).toBe(206);
    expect(part.response.headers.get("content-range")).toBe(`bytes 0-7/${png.length}`);
    expect(part.bytes.equals(png.subarray(0, 8))).toBe(true);
    const tail = await get(url, { ...bearer, range: "bytes=-4" });
    expect(tail.bytes.equals(png.subarray(-4))).toBe(true);
    const beyond = await get(url, { ...bearer, range: `bytes=${png.length}-` });
    expect(beyond.response.status).toBe(416);
    expect(beyond.response.headers.get("content-range")).toBe(`bytes */${png.length}`);

    // A page on an allowed origin may fetch it with its token (CORS).
    const cross = await get(url, { ...bearer, origin: "http://localhost:9060" });
    expect(cross.response.headers.get("access-control-allow-origin")).toBe("http://localhost:9060");
    expect(cross.response.headers.get("access-control-expose-headers")).toContain("Content-Disposition");

    // A fresh pair of signed URLs for a participant.
    const info = await stack.request("alice", "GET", `/api/chat/files/${up.body.file_id}`);
    expect(info.body).toMatchObject({ file_id: up.body.file_id, message_id: up.body.message_id });
    expect(await listFiles(stack.filesDir)).toHaveLength(2);
  });

  it("serves a PDF and text as attachments, with no thumbnail, and keeps the UTF-8 name", async () => {
    await using stack = await startStack({ worker: false });
    const { body: session } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const pdf = await uploadFile(stack, "alice", session.session_id, { data: makePdf(), name: "보고서 2024.pdf" });
    expect(pdf.status).toBe(201);
    expect(pdf.body).toMatchObject({
      thumbnail_url: null,
      file_info: { type: "application/pdf", name: "보고서 2024.pdf" },
    });
    const response = await fetch(`${stack.apiUrl}${pdf.body.file_url}`);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="___ 2024.pdf"; filename*=UTF-8''${encodeURIComponent("보고서 2024.pdf")}`,
    );
    const thumb = await fetch(`${stack.apiUrl}/files/${pdf.body.file_id}/thumb`, {
      headers: { authorization: `Bearer ${await stack.token("alice")}` },
    });
    expect(thumb.status).toBe(404);

    const text = await uploadFile(stack, "alice", session.session_id, {
      data: "안녕하세요\nhello\n",
      name: "note.txt",
    });
    expect(text.body.file_info).toMatchObject({ type: "text/plain", size: Buffer.byteLength("안녕하세요\nhello\n") });
    const body = await (await fetch(`${stack.apiUrl}${text.body.file_url}`)).text();
    expect(body).toBe("안녕하세요\nhello\n");
  });

  it("uploads with ?attach=false and attaches the file with the WS file frame", async () => {
    await using stack = await startStack({ worker: false });
    const { body: session } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const up = await uploadFile(stack, "alice", session.session_id, {
      data: makePdf(),
      name: "a.pdf",
      query: "?attach=false",
    });
    expect(up.status).toBe(201);
    expect(up.body.message_id).toBeNull();
    expect(await stack.repo.countMessages(session.session_id)).toBe(0);

    await using socket = openSocket(stack.wsUrl(session.session_id, await stack.token("alice")));
    await socket.next("ready");
    socket.send({ type: "file", file_id: up.body.file_id, message: "이미지를 확인해주세요", client_msg_id: "f-1" });
    const frame = await socket.next("message", (f) => f.message_type === "file");
    expect(frame).toMatchObject({
      content: "이미지를 확인해주세요",
      client_msg_id: "f-1",
      metadata: { file: { file_id: up.body.file_id, type: "application/pdf" } },
    });
    expect((await stack.repo.getFile(up.body.file_id))?.messageId).toBe(frame.message_id);

    // A resend of the same frame (same client_msg_id) gets the same message, not a second one.
    socket.send({ type: "file", file_id: up.body.file_id, client_msg_id: "f-1" });
    await expect(
      socket.next(
        "message",
        (f) => f.message_id === frame.message_id && socket.frames.indexOf(f) > socket.frames.indexOf(frame),
      ),
    ).resolves.toMatchObject({ client_msg_id: "f-1" });
    expect(await stack.repo.countMessages(session.session_id)).toBe(1);

    // Already attached: the same file cannot be sent again.
    socket.send({ type: "file", file_id: up.body.file_id, client_msg_id: "f-2" });
    await expect(socket.next("error")).resolves.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a WS file frame for a file of another session or another user", async () => {
    await using stack = await startStack({ worker: false });
    const { body: mine } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const { body: theirs } = await stack.request("mallory", "POST", "/api/chat/sessions", {});
    const foreign = await uploadFile(stack, "mallory", theirs.session_id, { data: makePdf(), query: "?attach=false" });
    await using socket = openSocket(stack.wsUrl(mine.session_id, await stack.token("alice")));
    await socket.next("ready");
    socket.send({ type: "file", file_id: foreign.body.file_id });
    await expect(socket.next("error")).resolves.toMatchObject({ code: "NOT_FOUND" });
    socket.send({ type: "file", file_id: "file_does_not_exist" });
    await expect(
      socket.next("error", (f) => socket.frames.filter((x) => x.type === "error").indexOf(f) === 1),
    ).resolves.toMatchObject({ code: "NOT_FOUND" });
    expect(await stack.repo.countMessages(mine.session_id)).toBe(0);
  });
});
