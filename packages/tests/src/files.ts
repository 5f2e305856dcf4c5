import { readdir } from "node:fs/promises";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";
import type { TestStack } from "./stack";

/** A PNG chunk: length, type, data, CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid RGB PNG of `width`×`height` (a gradient). With `declare`, the header claims another
 * size than the pixel data holds: a few bytes declaring 30000×30000 is a decompression bomb.
 */
export function makePng(width: number, height: number, declare?: { width: number; height: number }): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(declare?.width ?? width, 0);
  header.writeUInt32BE(declare?.height ?? height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, no filter, no interlace
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([(x * 255) / width, (y * 255) / height, 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A minimal PDF (file-type knows it by its `%PDF-` signature). */
export function makePdf(extraBytes = 0): Buffer {
  return Buffer.concat([
    Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"),
    Buffer.alloc(extraBytes, 0x20),
    Buffer.from("\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
  ]);
}

export interface UploadInput {
  data: Buffer | string;
  name?: string;
  /** The type the client claims. @default application/octet-stream */
  type?: string;
  message?: string;
  /** e.g. "?attach=false" */
  query?: string;
}

/** `POST /api/chat/sessions/{id}/files` as `userId`, multipart like a browser's FormData. */
export async function uploadFile(stack: TestStack, userId: string, sessionId: string, input: UploadInput) {
  const form = new FormData();
  const bytes = typeof input.data === "string" ? Buffer.from(input.data) : input.data;
  form.append(
    "file",
    new Blob([new Uint8Array(bytes)], { type: input.type ?? "application/octet-stream" }),
    input.name ?? "file.bin",
  );
  if (input.message !== undefined) form.append("message", input.message);
  const response = await fetch(`${stack.apiUrl}/api/chat/sessions/${sessionId}/files${input.query ?? ""}`, {
    method: "POST",
    headers: { authorization: `Bearer ${await stack.token(userId)}` },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Every regular file under `dir` (relative paths): what storage holds. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** A multipart body written by hand, so a test can send what no FormData would (NUL in a name...). */
export function rawMultipart(
  parts: { name: string; filename?: string; filenameStar?: string; type?: string; data: Buffer | string }[],
) {
  const boundary = `----chat-test-${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename =
      (part.filename === undefined ? "" : `; filename="${part.filename}"`) +
      (part.filenameStar === undefined ? "" : `; filename*=${part.filenameStar}`);
    const type = part.type ? `\r\nContent-Type: ${part.type}` : "";
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`,
        "latin1",
      ),
    );
    chunks.push(typeof part.data === "string" ? Buffer.from(part.data) : part.data);
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Posts a hand-made multipart body. */
export async function uploadRaw(
  stack: TestStack,
  userId: string,
  sessionId: string,
  multipart: { body: Buffer; contentType: string },
) {
  const response = await fetch(`${stack.apiUrl}/api/chat/sessions/${sessionId}/files`, {
    method: "POST",
    headers: { authorization: `Bearer ${await stack.token(userId)}`, "content-type": multipart.contentType },
    body: new Uint8Array(multipart.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
