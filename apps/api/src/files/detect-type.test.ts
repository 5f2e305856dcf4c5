import { describe, expect, it } from "vitest";
import { detectType, Utf8Check } from "./detect-type";

const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

describe("detectType", () => {
  it("knows binaries by signature, whatever the name", async () => {
    await expect(detectType(Buffer.concat([png, Buffer.alloc(64)]))).resolves.toBe("image/png");
    await expect(detectType(Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1"))).resolves.toBe("application/pdf");
    await expect(detectType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]))).resolves.toBe(
      "image/jpeg",
    );
  });

  it("calls markup what it is, never plain text", async () => {
    await expect(detectType(Buffer.from("\uFEFF  <!DOCTYPE html><p>x"))).resolves.toBe("text/html");
    await expect(detectType(Buffer.from("<script>alert(1)</script>"))).resolves.toBe("text/html");
    await expect(detectType(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"))).resolves.toBe("image/svg+xml");
    await expect(detectType(Buffer.from('<?xml version="1.0"?><svg/>'))).resolves.toBe("image/svg+xml");
    await expect(detectType(Buffer.from("<a href=x>hi</a>"))).resolves.toBe("text/html");
  });

  it("takes text without NULs as a plain-text candidate; unknown binaries are undefined", async () => {
    await expect(detectType(Buffer.from("hello <world> 1 < 2"))).resolves.toBe("text/plain");
    await expect(detectType(Buffer.from("<3 you"))).resolves.toBe("text/plain");
    await expect(detectType(Buffer.from([1, 2, 0, 4]))).resolves.toBeUndefined();
  });
});

describe("Utf8Check", () => {
  it("accepts UTF-8 split anywhere across chunks", () => {
    const bytes = Buffer.from("한국어 text ✓");
    const check = new Utf8Check();
    for (let i = 0; i < bytes.length; i++) check.push(bytes.subarray(i, i + 1));
    expect(() => check.end()).not.toThrow();
  });

  it("refuses invalid sequences, NULs and a truncated last character", () => {
    expect(() => new Utf8Check().push(Buffer.from([0xc3, 0x28]))).toThrow();
    expect(() => new Utf8Check().push(Buffer.from("a\0b"))).toThrow();
    const cut = new Utf8Check();
    cut.push(Buffer.from([0xed, 0x95]));
    expect(() => cut.end()).toThrow();
  });
});
