import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalStorage } from "./local-storage";

const root = await mkdtemp(path.join(tmpdir(), "local-storage-"));
afterAll(() => rm(root, { recursive: true, force: true }));
const storage = createLocalStorage({ root });

describe("local storage", () => {
  it("puts, heads, gets (ranges too) and deletes", async () => {
    await expect(
      storage.put("ab/file_1", Readable.from([Buffer.from("hello "), Buffer.from("world")]), {
        contentType: "text/plain",
      }),
    ).resolves.toEqual({ size: 11 });
    await expect(storage.head("ab/file_1")).resolves.toEqual({ size: 11 });
    await expect(text(await storage.get("ab/file_1"))).resolves.toBe("hello world");
    await expect(text(await storage.get("ab/file_1", { start: 6, end: 10 }))).resolves.toBe("world");
    await storage.delete("ab/file_1");
    await expect(storage.head("ab/file_1")).resolves.toBeUndefined();
    await expect(storage.get("ab/file_1")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await storage.delete("ab/file_1");
  });

  it("leaves nothing when the body fails midway", async () => {
    async function* failing() {
      yield Buffer.from("partial");
      throw new Error("client went away");
    }
    await expect(storage.put("cd/file_2", Readable.from(failing()), { contentType: "text/plain" })).rejects.toThrow(
      "client went away",
    );
    expect(await readdir(path.join(root, "cd"))).toEqual([]);
  });

  it("refuses keys that could leave the root", async () => {
    for (const key of ["../x", "ab/../../x", "/etc/passwd", "ab\\..\\x", "ab/.hidden", "", "a b"]) {
      await expect(storage.head(key), key).rejects.toThrow(/Invalid storage key/);
    }
  });
});
