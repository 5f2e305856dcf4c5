import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_JWT_SECRET, signToken, silentLogger } from "@chat/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStandaloneEnv, startStandalone } from "../src";

/** A raw GET, so paths like `/../x` reach the server unnormalized. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("the page and the development login", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "chat-standalone-web-"));
    await mkdir(join(dir, "web", "assets"), { recursive: true });
    await writeFile(join(dir, "web", "index.html"), "<!doctype html><title>page</title>");
    await writeFile(join(dir, "web", "assets", "app-1.js"), "console.log(1)");
    await writeFile(join(dir, "secret.txt"), "not served");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const start = (extra: Record<string, string> = {}) =>
    startStandalone(
      loadStandaloneEnv({ SERVICE_PORT: "0", DATA_DIR: join(dir, "data"), WEB_DIST_DIR: join(dir, "web"), ...extra }),
      silentLogger(),
    );

  it("refuses DEV_LOGIN when NODE_ENV=production", () => {
    expect(() => loadStandaloneEnv({ DEV_LOGIN: "true", NODE_ENV: "production" })).toThrow(/DEV_LOGIN/);
    expect(loadStandaloneEnv({}).DEV_LOGIN).toBe(false);
  });

  it("serves the page at / with a strict CSP, falls back to index.html, never leaves its folder", async () => {
    const app = await start();
    try {
      const base = `http://127.0.0.1:${app.port}`;
      const index = await fetch(`${base}/`);
      expect(await index.text()).toContain("<title>page</title>");
      expect(index.headers.get("content-security-policy")).toContain("script-src 'self'");
      const asset = await fetch(`${base}/assets/app-1.js`);
      expect(asset.headers.get("cache-control")).toContain("immutable");
      expect(await (await fetch(`${base}/some/route`)).text()).toContain("<title>page</title>");
      const traversal = await rawGet(app.port, "/../secret.txt");
      expect(traversal.body).not.toContain("not served");
      const encoded = await rawGet(app.port, "/%2e%2e/secret.txt");
      expect(encoded.body).not.toContain("not served");
      // The service's own paths are never the page.
      expect((await fetch(`${base}/api/chat/sessions`)).status).toBe(401);
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    } finally {
      await app.close();
    }
  });

  it("mints development tokens only when DEV_LOGIN is on", async () => {
    const off = await start();
    try {
      const base = `http://127.0.0.1:${off.port}`;
      expect(await (await fetch(`${base}/dev/config`)).json()).toEqual({ dev_login: false });
      const res = await fetch(`${base}/dev/login`, { method: "POST", body: JSON.stringify({ name: "alice" }) });
      expect(res.status).not.toBe(200);
    } finally {
      await off.close();
    }
    const on = await start({ DEV_LOGIN: "true" });
    try {
      const base = `http://127.0.0.1:${on.port}`;
      expect(await (await fetch(`${base}/dev/config`)).json()).toEqual({ dev_login: true });
      const bad = await fetch(`${base}/dev/login`, { method: "POST", body: JSON.stringify({ name: "a b<" }) });
      expect(bad.status).toBe(400);
      const res = await fetch(`${base}/dev/login`, { method: "POST", body: JSON.stringify({ name: "alice" }) });
      const { token, user_id } = (await res.json()) as { token: string; user_id: string };
      expect(user_id).toBe("alice");
      const sessions = await fetch(`${base}/api/chat/sessions`, { headers: { authorization: `Bearer ${token}` } });
      expect(sessions.status).toBe(200);
    } finally {
      await on.close();
    }
  });

  it("with JWT_AUDIENCE and JWT_ISSUER: refuses tokens minted for others, and its own login still works", async () => {
    const app = await start({ DEV_LOGIN: "true", JWT_AUDIENCE: "chat-service", JWT_ISSUER: "user-service" });
    try {
      const base = `http://127.0.0.1:${app.port}`;
      const sessions = (token: string) =>
        fetch(`${base}/api/chat/sessions`, { headers: { authorization: `Bearer ${token}` } });
      const login = await fetch(`${base}/dev/login`, { method: "POST", body: JSON.stringify({ name: "alice" }) });
      const { token } = (await login.json()) as { token: string };
      expect((await sessions(token)).status).toBe(200);

      // Same secret, another service's audience: a valid signature, not a chat token.
      const billing = await signToken(
        { sub: "alice" },
        { secret: DEV_JWT_SECRET, audience: "billing", issuer: "user-service" },
      );
      const refused = await sessions(billing);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        error: { code: "UNAUTHORIZED", message: "Token audience (aud) is not accepted" },
      });
      const noIssuer = await signToken({ sub: "alice" }, { secret: DEV_JWT_SECRET, audience: "chat-service" });
      expect(await (await sessions(noIssuer)).json()).toMatchObject({
        error: { code: "UNAUTHORIZED", message: "Token has no issuer (iss)" },
      });
    } finally {
      await app.close();
    }
  });
});
