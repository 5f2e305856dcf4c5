import { describe, expect, it } from "vitest";
import { createUrlSigner, deriveUrlSecret } from "./signed-url";

describe("signed file URLs", () => {
  const now = 1_700_000_000_000;
  const signer = createUrlSigner({ secret: "k", ttlSeconds: 60, now: () => now });
  const parts = (url: string) => {
    const query = new URL(url, "http://x").searchParams;
    return [query.get("exp") ?? undefined, query.get("sig") ?? undefined] as const;
  };

  it("verifies its own URL for the same file and variant only", () => {
    const url = signer.sign("file_a", "file");
    expect(url).toMatch(/^\/files\/file_a\?exp=1700000060&sig=[A-Za-z0-9_-]{43}$/);
    expect(signer.verify("file_a", "file", ...parts(url))).toBe("ok");
    expect(signer.verify("file_b", "file", ...parts(url))).toBe("invalid");
    expect(signer.verify("file_a", "thumb", ...parts(url))).toBe("invalid");
    expect(signer.sign("file_a", "thumb")).toMatch(/^\/files\/file_a\/thumb\?/);
  });

  it("rejects expired, re-dated, foreign-key and malformed signatures", () => {
    const [exp, sig] = parts(signer.sign("file_a", "file"));
    const later = createUrlSigner({ secret: "k", now: () => now + 61_000 });
    expect(later.verify("file_a", "file", exp, sig)).toBe("expired");
    expect(signer.verify("file_a", "file", String(Number(exp) + 1), sig)).toBe("invalid");
    expect(createUrlSigner({ secret: "other", now: () => now }).verify("file_a", "file", exp, sig)).toBe("invalid");
    expect(signer.verify("file_a", "file", exp, undefined)).toBe("invalid");
    expect(signer.verify("file_a", "file", ["1"], sig)).toBe("invalid");
    expect(signer.verify("file_a", "file", "1e9", sig)).toBe("invalid");
  });

  it("derives a key from the JWT secret unless FILE_URL_SECRET is set", () => {
    const derived = deriveUrlSecret("jwt");
    expect(Buffer.from(derived).equals(Buffer.from("jwt"))).toBe(false);
    expect(Buffer.from(deriveUrlSecret("jwt")).equals(Buffer.from(derived))).toBe(true);
    expect(Buffer.from(deriveUrlSecret("jwt", "own")).toString()).toBe("own");
  });
});
