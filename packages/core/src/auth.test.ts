import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokenVerifier, signToken } from "./auth";

const secret = "auth-test-secret";

describe("createTokenVerifier's cache of verified tokens", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers a token seen before with the same user, and still rejects other tokens", async () => {
    const verify = createTokenVerifier({ secret });
    const token = await signToken({ sub: "alice", role: "admin" }, { secret, expiresIn: "1h" });
    const first = await verify(token);
    expect(first).toMatchObject({ userId: "alice", role: "admin" });
    expect(await verify(token)).toBe(first);
    // Same claims, another signature: not a cache hit, and not valid.
    const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
    await expect(verify(forged)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Invalid token" });
    await expect(verify(forged)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("rejects a cached token once its exp has passed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
    const verify = createTokenVerifier({ secret });
    const token = await signToken({ sub: "bob" }, { secret, expiresIn: "60s" });
    expect((await verify(token)).userId).toBe("bob");
    vi.setSystemTime(new Date("2026-01-01T00:00:59Z"));
    expect((await verify(token)).userId).toBe("bob");
    vi.setSystemTime(new Date("2026-01-01T00:01:00Z"));
    await expect(verify(token)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Token expired" });
    await expect(verify(token)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Token expired" });
  });

  it("with cacheSize 0 verifies every time", async () => {
    const verify = createTokenVerifier({ secret, cacheSize: 0 });
    const token = await signToken({ sub: "carol" }, { secret });
    const first = await verify(token);
    const second = await verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });
});
