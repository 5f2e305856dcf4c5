import { expect, it } from "vitest";
import type { PresenceEntry } from "../types";
import { type ContractFixture, sleep } from "./fixture";

const tab = (userId: string, connectionId: string, sessionId = "s1"): PresenceEntry => ({
  sessionId,
  userId,
  connectionId,
});

/** Presence: first join and last leave decided once across buses, expiry of dead connections. */
export function presenceContract(f: ContractFixture): void {
  it("reports a user's first join and last leave once, however many tabs and buses", async () => {
    const edgeA = f.bus();
    const edgeB = f.bus();
    const joins = await Promise.all([
      edgeA.presence.join(tab("u1", "c1"), 30),
      edgeB.presence.join(tab("u1", "c2"), 30),
      edgeA.presence.join(tab("u1", "c3"), 30),
    ]);
    expect(joins.filter(Boolean)).toHaveLength(1);
    expect(await edgeA.presence.join(tab("u2", "c4"), 30)).toBe(true);
    // Another session of the same user is tracked apart.
    expect(await edgeB.presence.join(tab("u1", "c5", "s2"), 30)).toBe(true);
    expect((await edgeB.presence.users("s1")).sort()).toEqual(["u1", "u2"]);

    expect(await edgeA.presence.leave(tab("u1", "c1"))).toBe(false);
    expect(await edgeB.presence.leave(tab("u1", "c2"))).toBe(false);
    expect(await edgeA.presence.leave(tab("u1", "c3"))).toBe(true);
    expect(await edgeA.presence.leave(tab("u1", "c3"))).toBe(false); // a repeated goodbye is not news
    expect(await edgeA.presence.users("s1")).toEqual(["u2"]);
    expect(await edgeA.presence.users("s2")).toEqual(["u1"]);
  });

  it("expires connections that are not refreshed, and sweeps each gone user once", async () => {
    const dying = f.bus();
    const alive = f.bus();
    await dying.presence.join(tab("u1", "dead"), 0.2);
    await alive.presence.join(tab("u2", "live"), 0.2);
    await sleep(120);
    expect(await alive.presence.refresh([tab("u2", "live")], 0.2)).toEqual([]);
    await sleep(120);
    expect(await alive.presence.users("s1")).toEqual(["u2"]);
    const sweeps = await Promise.all([alive.presence.sweep("s1"), alive.presence.sweep("s1")]);
    expect(sweeps.flat()).toEqual(["u1"]);
    // A refresh after the user was swept reports them as joined again.
    expect(await dying.presence.refresh([tab("u1", "dead")], 0.2)).toEqual([tab("u1", "dead")]);
  });
}
