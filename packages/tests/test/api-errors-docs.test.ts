import { existsSync } from "node:fs";
import { errorEnvelope } from "@chat/protocol";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { uniqueUser, useStack } from "../src";

const stack = useStack({ worker: false });

describe("errors: one envelope everywhere", () => {
  it("404 for an unknown route and 405 (with Allow) for a known one, in the error envelope", async () => {
    const user = uniqueUser("alice");
    const unknown = await stack().request(user, "GET", "/api/chat/nope");
    expect(unknown.status).toBe(404);
    expect(errorEnvelope.parse(unknown.body).error.code).toBe("NOT_FOUND");
    const outside = await fetch(`${stack().apiUrl}/nope`);
    expect(outside.status).toBe(404);
    expect(errorEnvelope.safeParse(await outside.json()).success).toBe(true);

    const { body } = await stack().request(user, "POST", "/api/chat/sessions", {});
    const res = await fetch(`${stack().apiUrl}/api/chat/sessions/${body.session_id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${await stack().token(user)}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, PATCH, DELETE");
    expect(errorEnvelope.parse(await res.json()).error.code).toBe("METHOD_NOT_ALLOWED");
    expect((await stack().request(user, "DELETE", "/api/chat/sessions")).status).toBe(405);
    expect((await stack().request(user, "POST", "/api/chat/search")).status).toBe(405);
  });

  it("every route of the api answers 401 without a token, in the envelope", async () => {
    const base = `${stack().apiUrl}/api/chat`;
    const routes: [string, string][] = [
      ["GET", "/sessions"],
      ["POST", "/sessions"],
      ["GET", "/sessions/s1"],
      ["PATCH", "/sessions/s1"],
      ["DELETE", "/sessions/s1"],
      ["POST", "/sessions/s1/restore"],
      ["GET", "/sessions/s1/participants"],
      ["POST", "/sessions/s1/participants"],
      ["DELETE", "/sessions/s1/participants/u1"],
      ["GET", "/sessions/s1/messages"],
      ["POST", "/sessions/s1/messages"],
      ["PATCH", "/sessions/s1/messages/m1"],
      ["POST", "/sessions/s1/read"],
      ["GET", "/search?q=x"],
    ];
    for (const [method, path] of routes) {
      const res = await fetch(`${base}${path}`, { method });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(errorEnvelope.parse(await res.json()).error.code).toBe("UNAUTHORIZED");
    }
  });

  it("a body that is not an object, or not JSON, is a 400 in the envelope", async () => {
    const user = uniqueUser("alice");
    for (const body of ["[1]", '"text"', "{bad"]) {
      const res = await stack().request(user, "POST", "/api/chat/sessions", body);
      expect(res.status, body).toBe(400);
      expect(errorEnvelope.safeParse(res.body).success).toBe(true);
    }
  });
});

describe("OpenAPI and /docs", () => {
  it("serves an OpenAPI 3.1 document without a token, describing every route", async () => {
    const res = await fetch(`${stack().apiUrl}/api/chat/openapi.json`);
    expect(res.status).toBe(200);
    const doc: any = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "POST /api/chat/sessions",
        "GET /api/chat/sessions",
        "GET /api/chat/sessions/{session_id}",
        "PATCH /api/chat/sessions/{session_id}",
        "DELETE /api/chat/sessions/{session_id}",
        "POST /api/chat/sessions/{session_id}/restore",
        "GET /api/chat/sessions/{session_id}/participants",
        "POST /api/chat/sessions/{session_id}/participants",
        "DELETE /api/chat/sessions/{session_id}/participants/{user_id}",
        "GET /api/chat/sessions/{session_id}/messages",
        "POST /api/chat/sessions/{session_id}/messages",
        "PATCH /api/chat/sessions/{session_id}/messages/{message_id}",
        "POST /api/chat/sessions/{session_id}/read",
        "GET /api/chat/search",
        "GET /api/chat/openapi.json",
      ].sort(),
    );
    const search = doc.paths["/api/chat/search"].get;
    expect(search.parameters.map((p: { name: string }) => p.name)).toEqual(["q", "session_id", "limit"]);
    const result = search.responses["200"].content["application/json"].schema.properties.results.items;
    expect(result.properties.snippet.description).toContain("<mark>");
    const create = doc.paths["/api/chat/sessions"].post;
    expect(create.requestBody.content["application/json"].schema.properties).toHaveProperty("agent_id");
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["201", "400", "401"]));
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain("SESSION_NOT_FOUND");
  });

  it("serves /docs with a strict CSP and no external resources", async () => {
    const res = await fetch(`${stack().apiUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${stack().apiUrl}/docs/docs.js`)).headers.get("content-type")).toMatch(/javascript/);
  });

  const browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
  it.skipIf(!browser)(
    "the /docs page renders every operation in a real browser (skipped without chromium)",
    async () => {
      const instance = await chromium.launch({ executablePath: browser, args: ["--no-sandbox"] });
      try {
        const page = await instance.newPage();
        const problems: string[] = [];
        page.on("console", (msg) => {
          if (msg.type() === "error") problems.push(msg.text());
        });
        page.on("pageerror", (error) => problems.push(error.message));
        await page.goto(`${stack().apiUrl}/docs`);
        await page.waitForSelector("section.op");
        expect(await page.locator("section.op").count()).toBe(15);
        expect(await page.locator("h2").allTextContents()).toEqual(
          expect.arrayContaining(["Sessions", "Participants", "Messages", "Read state", "Search", "Errors"]),
        );
        expect(problems).toEqual([]);
      } finally {
        await instance.close();
      }
    },
  );
});
