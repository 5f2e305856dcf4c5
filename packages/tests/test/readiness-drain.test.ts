import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createMetrics, createOpsHandler } from "@chat/core";
import { describe, expect, it } from "vitest";
import { useStack } from "../src";

// /readyz goes unready while an app drains (so the gateway stops routing to it) and while its
// dependencies are unreachable. The ws-edge's own drain is covered by ws-drain.test.ts.
const stack = useStack({ worker: false });

describe("readiness", () => {
  it("api: /readyz is 503 once close() started, /healthz stays 200", async () => {
    const server = createServer(stack().api.app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      await stack().api.close();
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: "draining" });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("worker and edge ops endpoint: 503 while draining or while a dependency fails; metrics served", async () => {
    let draining = false;
    let healthy = true;
    const handler = createOpsHandler({
      draining: () => draining,
      checkReady: async () => {
        if (!healthy) throw new Error("redis down");
      },
      metrics: createMetrics({ app: "stream-worker", defaultMetrics: false }),
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      healthy = false;
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: "unavailable" });
      healthy = true;
      draining = true;
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: "draining" });
      expect(await (await fetch(`${base}/metrics`)).text()).toContain("chat_stream_replies_total");
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
