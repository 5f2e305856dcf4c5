import type { SystemFrame } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { openSocket, startStack, type TestSocket } from "../src";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const presence = (socket: TestSocket, event: SystemFrame["event"], userId: string) =>
  socket.frames.filter((f) => f.type === "system" && f.event === event && f.user_id === userId);

describe("presence", () => {
  it("announces a user once per session across tabs and edges, and their leaving once", async () => {
    await using stack = await startStack({ edges: 2, worker: false });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const sessionId: string = body.session_id;
    await stack.repo.addParticipant(sessionId, "bob", "member");
    await using bob = openSocket(stack.wsUrl(sessionId, await stack.token("bob"), 0));
    await bob.next("system", (f) => f.event === "user_joined" && f.user_id === "bob");

    const token = await stack.token("alice");
    const tabs = [0, 1, 1].map((edge) => openSocket(stack.wsUrl(sessionId, token, edge)));
    await Promise.all(tabs.map((tab) => tab.next("ready")));
    await bob.next("system", (f) => f.event === "user_joined" && f.user_id === "alice");
    await expect.poll(() => stack.bus.presence.users(sessionId).then((u) => u.sort())).toEqual(["alice", "bob"]);
    await sleep(300); // room for a wrong second announcement
    expect(presence(bob, "user_joined", "alice")).toHaveLength(1);

    await tabs[0]?.close();
    await tabs[1]?.close();
    await sleep(300);
    expect(presence(bob, "user_left", "alice")).toHaveLength(0);
    await tabs[2]?.close();
    await bob.next("system", (f) => f.event === "user_left" && f.user_id === "alice");
    await sleep(300);
    expect(presence(bob, "user_left", "alice")).toHaveLength(1);
    expect(await stack.bus.presence.users(sessionId)).toEqual(["bob"]);
  });

  it("forgets the users of an edge that went away without a goodbye, after the TTL", async () => {
    await using stack = await startStack({
      edges: 2,
      worker: false,
      edgeOptions: { heartbeatIntervalMs: 100, presenceTtlMs: 600 },
    });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const sessionId: string = body.session_id;
    await stack.repo.addParticipant(sessionId, "carol", "member");
    await using alice = openSocket(stack.wsUrl(sessionId, await stack.token("alice"), 0));
    await alice.next("ready");
    await using carol = openSocket(stack.wsUrl(sessionId, await stack.token("carol"), 1));
    await alice.next("system", (f) => f.event === "user_joined" && f.user_id === "carol");

    // A draining edge says no goodbye (as a crashed one would not): the TTL and a sweep by
    // the surviving edge report carol gone.
    await stack.edges[1]?.edge.close();
    await carol.closed;
    await alice.next("system", (f) => f.event === "user_left" && f.user_id === "carol", 5_000);
    expect(presence(alice, "user_left", "carol")).toHaveLength(1);
    expect(await stack.bus.presence.users(sessionId)).toEqual(["alice"]);
  });
});
