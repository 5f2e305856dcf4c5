import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { ChatError, MAX_CONTENT_LENGTH } from "@chat/protocol";
import busboy from "busboy";
import type { Request } from "express";
import { detectType, SNIFF_BYTES, Utf8Check } from "./detect-type";
import { cleanFileName } from "./file-name";
import type { FileStorage } from "./storage";

export interface ReceiveOptions {
  storage: FileStorage;
  storageKey: string;
  maxFileSize: number;
  allowedTypes: ReadonlySet<string>;
}

/** A file that is now in storage under `storageKey`. */
export interface ReceivedFile {
  name: string;
  /** Detected from the bytes; the client's claim is ignored. */
  type: string;
  size: number;
  sha256: string;
  /** The optional `message` field. */
  message: string | undefined;
}

const tooLarge = (max: number) =>
  new ChatError("PAYLOAD_TOO_LARGE", `File is larger than the limit of ${max} bytes`, {
    details: [{ path: "file", message: `must be at most ${max} bytes` }],
  });

/**
 * Streams the multipart body's one `file` part through the type check and sha256 straight into
 * storage; only the first few KB are held for the type check. Resolves once the file is stored;
 * on any failure (limits, type, client abort) nothing is left in storage and it rejects.
 */
export function receiveUpload(req: Request, options: ReceiveOptions): Promise<ReceivedFile> {
  const { storage, storageKey, maxFileSize, allowedTypes } = options;
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: "utf8",
        // +1: busboy flags a file that reaches the limit exactly; one byte over is what we refuse.
        limits: {
          fileSize: maxFileSize + 1,
          files: 1,
          fields: 2,
          parts: 3,
          fieldSize: MAX_CONTENT_LENGTH * 4,
          fieldNameSize: 100,
          headerPairs: 20,
        },
      });
    } catch {
      reject(new ChatError("BAD_REQUEST", "Expected a multipart/form-data body with a `file` part"));
      return;
    }

    let failure: unknown;
    let settled = false;
    let fileStream: Readable | undefined;
    let stored: Promise<Omit<ReceivedFile, "message">> | undefined;
    let message: string | undefined;
    let sawMessage = false;

    const finish = async () => {
      if (settled) return;
      settled = true;
      const result = await stored?.then(
        (value) => value,
        (error: unknown) => {
          failure ??= error;
          return undefined;
        },
      );
      if (failure !== undefined || !result) {
        if (result) await storage.delete(storageKey).catch(() => {});
        reject(failure ?? new ChatError("BAD_REQUEST", "The multipart body has no `file` part"));
        return;
      }
      resolve({ ...result, message });
    };

    const fail = (error: unknown) => {
      if (failure !== undefined) return;
      failure = error;
      fileStream?.destroy(error instanceof Error ? error : new Error(String(error)));
      // Stop parsing and discard the rest of the body, so the client can still read the answer.
      req.unpipe(parser);
      req.resume();
      void finish();
    };

    parser.on("file", (field, stream, info) => {
      if (field !== "file" || fileStream) {
        stream.resume();
        fail(new ChatError("BAD_REQUEST", "Send exactly one file, in the `file` part"));
        return;
      }
      fileStream = stream;
      stream.once("limit", () => fail(tooLarge(maxFileSize)));
      stored = storeFile(stream, info.filename);
      stored.catch(fail);
    });
    parser.on("field", (name, value, info) => {
      if (name !== "message") return fail(new ChatError("BAD_REQUEST", `Unknown form field: ${name.slice(0, 50)}`));
      if (sawMessage) return fail(new ChatError("BAD_REQUEST", "Send at most one `message` field"));
      sawMessage = true;
      if (info.valueTruncated || value.length > MAX_CONTENT_LENGTH) {
        return fail(
          new ChatError("VALIDATION_ERROR", "message is too long", {
            details: [{ path: "message", message: `must be at most ${MAX_CONTENT_LENGTH} characters` }],
          }),
        );
      }
      message = value.trim() === "" ? undefined : value;
    });
    const tooMany = () => fail(new ChatError("BAD_REQUEST", "Too many parts: send one `file` and at most a `message`"));
    parser.on("filesLimit", tooMany);
    parser.on("fieldsLimit", tooMany);
    parser.on("partsLimit", tooMany);
    parser.on("error", (error) => fail(new ChatError("BAD_REQUEST", "Malformed multipart body", { cause: error })));
    parser.on("close", () => void finish());
    // A client that goes away mid-upload: destroy the file stream, so storage removes the partial write.
    req.on("close", () => {
      if (!req.complete) fail(new ChatError("BAD_REQUEST", "Upload aborted by the client"));
    });
    req.pipe(parser);
  });

  async function storeFile(stream: Readable, rawName: string | undefined) {
    const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head: Buffer[] = [];
    let headLength = 0;
    let ended = false;
    while (headLength < SNIFF_BYTES) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      head.push(next.value);
      headLength += next.value.length;
    }
    const first = Buffer.concat(head);
    if (first.length === 0)
      throw new ChatError("VALIDATION_ERROR", "The file is empty", {
        details: [{ path: "file", message: "must not be empty" }],
      });
    const type = await detectType(first);
    if (!type || !allowedTypes.has(type)) {
      throw new ChatError("UNSUPPORTED_MEDIA_TYPE", `File type ${type ?? "unknown"} is not allowed`, {
        details: [{ path: "file", message: `allowed: ${[...allowedTypes].join(", ")}` }],
      });
    }

    const hash = createHash("sha256");
    const text = type === "text/plain" ? new Utf8Check() : undefined;
    let size = 0;
    let bodyError: unknown;
    const take = (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
      try {
        text?.push(chunk);
      } catch {
        throw new ChatError("UNSUPPORTED_MEDIA_TYPE", "The file is not valid UTF-8 text");
      }
      return chunk;
    };
    async function* body() {
      try {
        yield take(first);
        while (!ended) {
          const next = await chunks.next();
          if (next.done) break;
          yield take(next.value);
        }
        if ((stream as Readable & { truncated?: boolean }).truncated || size > maxFileSize) throw tooLarge(maxFileSize);
        try {
          text?.end();
        } catch {
          throw new ChatError("UNSUPPORTED_MEDIA_TYPE", "The file is not valid UTF-8 text");
        }
      } catch (error) {
        bodyError ??= error;
        throw error;
      }
    }
    try {
      await storage.put(storageKey, Readable.from(body(), { objectMode: false }), { contentType: type });
    } catch (error) {
      // The body's own error (limit, type) says more than the storage's echo of it.
      throw bodyError ?? error;
    }
    return { name: cleanFileName(rawName), type, size, sha256: hash.digest("hex") };
  }
}
