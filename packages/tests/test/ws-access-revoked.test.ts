import { CloseCode } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { openSocket, uniqueUser, useStack } from "../src";

// Losing access takes effect on open sockets at once, on every edge, not at the next reconnect.
const stack = useStack({ worker: false, edges: 2 });

describe("access revoked while connected", () => {
  it("closes a removed member's sockets with 4404 and keeps everyone else's", async () => {
    const owner = uniqueUser("owner");
    const bob = uniqueUser("bob");
    const { body } = await stack().request(owner, "POST", "/api/chat/sessions", {});
    const path = `/api/chat/sessions/${body.session_id}`;
    await stack().request(owner, "POST", `${path}/participants`, { user_id: bob });
    await using ownerSocket = openSocket(stack().wsUrl(body.session_id, await stack().token(owner), 0));
    await using bobSocket = openSocket(stack().wsUrl(body.session_id, await stack().token(bob), 1));
    await Promise.all([ownerSocket.next("ready"), bobSocket.next("ready")]);

    expect((await stack().request(owner, "DELETE", `${path}/participants/${bob}`)).status).toBe(200);
    await expect(bobSocket.closed).resolves.toMatchObject({ code: CloseCode.NotFound });
    await stack().request(owner, "POST", `${path}/messages`, { content: "after bob left" });
    await expect(ownerSocket.next("message", (f) => f.content === "after bob left")).resolves.toBeDefined();
    expect(bobSocket.frames.some((f) => f.type === "message" && f.content === "after bob left")).toBe(false);
  });

  it("closes every socket of a deleted session", async () => {
    const owner = uniqueUser("owner");
    const { body } = await stack().request(owner, "POST", "/api/chat/sessions", {});
    await using socket = openSocket(stack().wsUrl(body.session_id, await stack().token(owner), 1));
    await socket.next("ready");
    expect((await stack().request(owner, "DELETE", `/api/chat/sessions/${body.session_id}`)).status).toBe(200);
    await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.NotFound });
  });
});
