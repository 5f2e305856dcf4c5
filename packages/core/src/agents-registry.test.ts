import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAgentsFile } from "./agents-file";
import { createHttpAgentRegistry } from "./agents-http";
import { createAgentRegistry } from "./services";

/** A fake agent-service: agents 1..3 exist, 500 for 99, `delayMs` before every answer. */
async function agentService(delayMs = 20) {
  const hits: number[] = [];
  const stats = { open: 0, maxOpen: 0 };
  const server = createServer((req, res) => {
    const id = Number(/\/api\/agents\/(\d+)$/.exec(req.url ?? "")?.[1]);
    hits.push(id);
    stats.open += 1;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    res.on("finish", () => {
      stats.open -= 1;
    });
    setTimeout(() => {
      if (id === 99) return void res.writeHead(500).end();
      if (id > 3) return void res.writeHead(404).end('{"detail":"not found"}');
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id,
          name: `Agent ${id}`,
          logo_url: null,
          a2a_endpoint: `http://agents.local/${id}`,
          framework: "langgraph",
          extra: true,
        }),
      );
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url, hits, stats };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("agent registry over the agent-service", () => {
  it("maps the record, caches it, and shares one request among concurrent lookups", async () => {
    const service = await agentService();
    const registry = createHttpAgentRegistry({ baseUrl: `${service.url}/`, ttlMs: 60_000 });
    const [a, b] = await Promise.all([registry.get(2), registry.get(2)]);
    expect(a).toEqual({
      id: 2,
      name: "Agent 2",
      logo_url: null,
      framework: "langgraph",
      a2a_endpoint: "http://agents.local/2",
      backend: "a2a",
    });
    expect(b).toBe(a);
    await registry.get(2);
    expect(service.hits).toEqual([2]);
  });

  it("caches unknown agents briefly and does not cache failures", async () => {
    const service = await agentService();
    const registry = createHttpAgentRegistry({ baseUrl: service.url, negativeTtlMs: 60_000 });
    expect(await registry.get(7)).toBeUndefined();
    expect(await registry.get(7)).toBeUndefined();
    await expect(registry.get(99)).rejects.toThrow(/500/);
    await expect(registry.get(99)).rejects.toThrow(/500/);
    expect(service.hits).toEqual([7, 99, 99]);
  });

  it("getMany fetches distinct ids at once and skips unknown or failing ones", async () => {
    const service = await agentService(100);
    const registry = createHttpAgentRegistry({ baseUrl: service.url });
    const found = await registry.getMany([1, 2, 3, 2, 1, 42, 99]);
    expect([...found.keys()].sort()).toEqual([1, 2, 3]);
    expect(new Set(service.hits)).toEqual(new Set([1, 2, 3, 42, 99]));
    expect(service.hits).toHaveLength(5);
    // Concurrent, not one after another.
    expect(service.stats.maxOpen).toBeGreaterThan(1);
  });

  it("gives up on a slow agent-service after the timeout", async () => {
    const service = await agentService(1_000);
    const registry = createHttpAgentRegistry({ baseUrl: service.url, timeoutMs: 50 });
    await expect(registry.get(1)).rejects.toThrow();
  });
});

describe("AGENTS_FILE", () => {
  it("configures openai and a2a agents, consulted before the agent-service", async () => {
    const service = await agentService(0);
    const dir = mkdtempSync(join(tmpdir(), "agents-file-"));
    const path = join(dir, "agents.json");
    writeFileSync(
      path,
      JSON.stringify([
        { id: 2, name: "Local LLM", base_url: "http://127.0.0.1:11434/v1", model: "qwen", api_key_env: "LLM_KEY" },
        { id: 5, name: "Local A2A", a2a_endpoint: "http://127.0.0.1:9999" },
      ]),
    );
    const registry = createAgentRegistry({ AGENTS_FILE: path, AGENT_SERVICE_URL: service.url });
    expect(await registry.get(2)).toMatchObject({
      backend: "openai",
      openai: { base_url: "http://127.0.0.1:11434/v1", model: "qwen", api_key_env: "LLM_KEY" },
    });
    expect(await registry.get(5)).toMatchObject({ backend: "a2a", a2a_endpoint: "http://127.0.0.1:9999" });
    expect(await registry.get(3)).toMatchObject({ name: "Agent 3", backend: "a2a" });
    expect(service.hits).toEqual([3]);
    const many = await registry.getMany([2, 3, 5]);
    expect([...many.keys()].sort()).toEqual([2, 3, 5]);
  });

  it("names the bad entry", () => {
    expect(() => parseAgentsFile('[{"id":2,"name":"x","backend":"openai"}]')).toThrow(/0: openai needs base_url/);
    expect(() => parseAgentsFile("{nope")).toThrow(/not valid JSON/);
  });

  it("with neither, agent 1 is the demo agent", async () => {
    const registry = createAgentRegistry({});
    expect(await registry.get(1)).toMatchObject({ backend: "demo" });
    expect(await registry.get(2)).toBeUndefined();
  });
});
