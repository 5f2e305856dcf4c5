import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CloseCode } from "@chat/protocol";
import { createHealthHandler } from "@chat/ws-edge";
import { describe, expect, it } from "vitest";
import { openSocket, startStack } from "../src";

describe("draining an edge", () => {
  it("turns /readyz to 503, closes sockets with 1012 and refuses new ones with 1012", async () => {
    await using stack = await startStack({ worker: false, edgeOptions: { drainTimeoutMs: 2_000 } });
    const edge = stack.edges[0]?.edge;
    if (!edge) throw new Error("no edge");
    const health = createServer(createHealthHandler(edge));
    await new Promise<void>((resolve) => health.listen(0, "127.0.0.1", resolve));
    const readyz = `http://127.0.0.1:${(health.address() as AddressInfo).port}/readyz`;
    try {
      expect((await fetch(readyz)).status).toBe(200);
      await using socket = openSocket(stack.wsUrl("drain", await stack.token("alice")));
      await socket.next("ready");

      const drained = edge.close();
      const response = await fetch(readyz);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "draining" });
      await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.ServiceRestart });
      await using late = openSocket(stack.wsUrl("drain", await stack.token("alice")));
      await expect(late.closed).resolves.toMatchObject({ code: CloseCode.ServiceRestart });
      await drained;
      expect(edge.connectionCount()).toBe(0);
    } finally {
      await new Promise((resolve) => health.close(resolve));
    }
  });

  it("waits for a presence heartbeat in flight before it is done (the bus closes next)", async () => {
    await using stack = await startStack({ worker: false, edgeOptions: { heartbeatIntervalMs: 20 } });
    const handle = stack.edges[0];
    if (!handle) throw new Error("no edge");
    // A heartbeat round that takes 300 ms: close() must not finish while it runs.
    const refresh = handle.bus.presence.refresh.bind(handle.bus.presence);
    let started: () => void = () => {};
    const roundStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    let roundsFinished = 0;
    handle.bus.presence.refresh = async (...args) => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const result = await refresh(...args);
      roundsFinished += 1;
      return result;
    };
    await using socket = openSocket(stack.wsUrl("drain-tick", await stack.token("alice")));
    await socket.next("ready");
    await roundStarted;
    await handle.edge.close();
    expect(roundsFinished).toBe(1);
  });
});
