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
