import { request } from "node:http";
import { createS3Storage } from "@chat/api";
import { describe, expect, it } from "vitest";
import { eventually, listFiles, makePdf, makePng, rawMultipart, startS3, startStack, uploadFile } from "../src";

describe("files: S3 storage (s3rver on loopback)", () => {
  it("uploads to the bucket (multipart past 5 MiB), makes a thumbnail, serves ranges, refuses oversize", async () => {
    await using s3 = await startS3();
    const storage = createS3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, credentials: s3.credentials });
    await using stack = await startStack({ worker: false, files: { storage, maxFileSize: 6 * 1024 * 1024 } });
    const { body: session } = await stack.request("alice", "POST", "/api/chat/sessions", {});

    const png = makePng(300, 200);
    const image = await uploadFile(stack, "alice", session.session_id, {
      data: png,
      name: "photo.png",
      message: "look",
    });
    expect(image.status, JSON.stringify(image.body)).toBe(201);
    expect(image.body.thumbnail_url).toMatch(/\/thumb\?/);
    const row = await stack.repo.getFile(image.body.file_id);
    await expect(storage.head(row?.storageKey ?? "")).resolves.toEqual({ size: png.length });
    expect(await listFiles(stack.filesDir)).toEqual([]); // nothing on the local disk

    const fetched = await fetch(`${stack.apiUrl}${image.body.file_url}`);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(png)).toBe(true);
    const thumb = await fetch(`${stack.apiUrl}${image.body.thumbnail_url}`);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const part = await fetch(`${stack.apiUrl}${image.body.file_url}`, { headers: { range: "bytes=1-3" } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).toString("latin1")).toBe("PNG");

    // Past 5 MiB: more than one 5 MiB part, so lib-storage runs a real multipart upload.
    const big = makePdf(5 * 1024 * 1024 + 100_000);
    const pdf = await uploadFile(stack, "alice", session.session_id, { data: big, name: "big.pdf" });
    expect(pdf.status, JSON.stringify(pdf.body)).toBe(201);
    const download = await fetch(`${stack.apiUrl}${pdf.body.file_url}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(big)).toBe(true);

    const before = await s3.objects();
    const over = await uploadFile(stack, "alice", session.session_id, { data: makePdf(6 * 1024 * 1024) });
    expect(over.status).toBe(413);
    expect(await s3.objects()).toEqual(before);
    // The refused upload had started a multipart upload: it was aborted, not left behind.
    expect(s3.requests.filter((r) => r.startsWith("DELETE") && r.includes("uploadId="))).toHaveLength(1);
    expect(await stack.repo.listFilesBySession(session.session_id)).toHaveLength(2);
    await storage.close?.();
  });

  it("leaves nothing in the bucket when the client aborts or the type is refused", async () => {
    await using s3 = await startS3();
    const storage = createS3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, credentials: s3.credentials });
    await using stack = await startStack({ worker: false, files: { storage, maxFileSize: 10 * 1024 * 1024 } });
    const { body: session } = await stack.request("alice", "POST", "/api/chat/sessions", {});

    const html = await uploadFile(stack, "alice", session.session_id, {
      data: "<html><script>x</script>",
      type: "image/png",
    });
    expect(html.status).toBe(415);

    const multipart = rawMultipart([{ name: "file", filename: "big.pdf", data: makePdf(9 * 1024 * 1024) }]);
    const req = request(new URL(`${stack.apiUrl}/api/chat/sessions/${session.session_id}/files`), {
      method: "POST",
      headers: {
        authorization: `Bearer ${await stack.token("alice")}`,
        "content-type": multipart.contentType,
        "content-length": multipart.body.length,
      },
    });
    req.on("error", () => {});
    let response: number | undefined;
    req.on("response", (res) => {
      response = res.statusCode;
    });
    // More than one part's worth, so a multipart upload is under way when the client vanishes.
    req.write(multipart.body.subarray(0, 6 * 1024 * 1024));
    await eventually(() => s3.requests.some((r) => r.startsWith("POST") && r.includes("?uploads")), 15_000);
    req.destroy();
    await eventually(async () => (await stack.repo.countMessages(session.session_id)) === 0);
    await eventually(() => s3.requests.some((r) => r.startsWith("DELETE") && r.includes("uploadId=")), 15_000);
    expect(await s3.objects()).toEqual([]);
    expect(response).toBeUndefined();
    expect(await stack.repo.listFilesBySession(session.session_id)).toEqual([]);
    await storage.close?.();
  });
});
