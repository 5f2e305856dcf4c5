import { SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokenVerifier, signToken } from "./auth";
import { commonEnv, parseEnv } from "./env";

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

describe("createTokenVerifier with JWT_AUDIENCE and JWT_ISSUER", () => {
  const options = { secret, audience: ["chat-service", "chat"], issuer: ["user-service"] };

  it("accepts a token naming an accepted audience and issuer", async () => {
    const verify = createTokenVerifier(options);
    const token = await signToken({ sub: "dana" }, { secret, audience: "chat", issuer: "user-service" });
    expect((await verify(token)).userId).toBe("dana");
  });

  it("refuses another audience, or none, and says which claim", async () => {
    const verify = createTokenVerifier(options);
    const billing = await signToken({ sub: "dana" }, { secret, audience: "billing", issuer: "user-service" });
    await expect(verify(billing)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Token audience (aud) is not accepted",
    });
    const none = await signToken({ sub: "dana" }, { secret, issuer: "user-service" });
    await expect(verify(none)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Token has no audience (aud)" });
  });

  it("refuses another issuer, or none", async () => {
    const verify = createTokenVerifier(options);
    const other = await signToken({ sub: "dana" }, { secret, audience: "chat", issuer: "agent-service" });
    await expect(verify(other)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Token issuer (iss) is not accepted",
    });
    const none = await signToken({ sub: "dana" }, { secret, audience: "chat" });
    await expect(verify(none)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Token has no issuer (iss)" });
  });

  it("says nothing about claims to a token with a bad signature", async () => {
    const verify = createTokenVerifier(options);
    const token = await signToken({ sub: "dana" }, { secret: "another-secret", audience: "billing" });
    await expect(verify(token)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Invalid token" });
  });

  it("names a token that is not valid yet (nbf), e.g. from a clock running ahead", async () => {
    const verify = createTokenVerifier({ secret });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("gus")
      .setNotBefore(now + 600)
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(secret));
    await expect(verify(token)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Token is not valid yet (nbf)",
    });
  });

  it("checks neither claim when both lists are empty", async () => {
    const verify = createTokenVerifier({ secret, audience: [], issuer: [] });
    const token = await signToken({ sub: "erin" }, { secret, audience: "billing", issuer: "anyone" });
    expect((await verify(token)).userId).toBe("erin");
  });
});

describe("JWT_AUDIENCE and JWT_ISSUER from the environment", () => {
  it("reads comma lists and JSON arrays, and unset as not checked", async () => {
    const env = parseEnv(commonEnv, { JWT_AUDIENCE: " chat-service , chat ", JWT_ISSUER: '["user-service"]' });
    expect(env.JWT_AUDIENCE).toEqual(["chat-service", "chat"]);
    expect(env.JWT_ISSUER).toEqual(["user-service"]);
    const verify = createTokenVerifier({ secret, audience: env.JWT_AUDIENCE, issuer: env.JWT_ISSUER });
    const token = await signToken({ sub: "fay" }, { secret, audience: "chat-service", issuer: "user-service" });
    expect((await verify(token)).userId).toBe("fay");

    const unset = parseEnv(commonEnv, {});
    expect([unset.JWT_AUDIENCE, unset.JWT_ISSUER]).toEqual([[], []]);
    expect(() => parseEnv(commonEnv, { JWT_ISSUER: "[1]" })).toThrow(/JWT_ISSUER: must be a JSON array of strings/);
  });
});
