import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ChatError } from "@chat/protocol";
import { assertKey, type FileStorage } from "./storage";

export interface LocalStorageOptions {
  /** Directory that holds every object; nothing is ever read or written outside it. @default "/tmp/chat-files" */
  root?: string;
}

/** Files on a local disk: each upload is written to a temp file, then renamed into place. */
export function createLocalStorage(options: LocalStorageOptions = {}): FileStorage {
  const root = path.resolve(options.root ?? "/tmp/chat-files");

  const pathOf = (key: string) => {
    assertKey(key);
    const full = path.resolve(root, key);
    // Belt and braces beside assertKey: the resolved path must stay under the root.
    if (!full.startsWith(root + path.sep)) throw new Error(`Storage key escapes the root: ${key}`);
    return full;
  };

  return {
    kind: "local",

    async put(key, body) {
      const target = pathOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      // A reader never sees a half-written file, and a failed write leaves only a temp file we remove.
      const temp = `${target}.${randomBytes(6).toString("hex")}.part`;
      const sink = createWriteStream(temp, { flags: "wx", mode: 0o600 });
      try {
        await pipeline(body, sink);
        await rename(temp, target);
      } catch (error) {
        body.destroy();
        // The file is opened asynchronously: a write that fails early can still be creating it.
        // Wait until the stream has closed, so the temp file exists (if ever) before it is removed.
        sink.destroy();
        if (!sink.closed) await once(sink, "close").catch(() => {});
        await rm(temp, { force: true });
        throw error;
      }
      return { size: (await stat(target)).size };
    },

    async get(key, range) {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(pathOf(key), "r");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new ChatError("NOT_FOUND", "File not found");
        throw error;
      }
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    },

    async head(key) {
      try {
        return { size: (await stat(pathOf(key))).size };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
