import { describe, expect, it } from "vitest";
import type { LiveEvent } from "./event";
import { SessionOrder } from "./session-order";

const event = (seq: number | undefined, type = "message"): LiveEvent => ({
  payload: JSON.stringify({ type, seq }),
  type,
  seq,
  chunk: undefined,
  messageId: undefined,
  attempt: undefined,
});

function harness(fetched: LiveEvent[] = []) {
  const released: (number | string)[] = [];
  const fetches: [number, number][] = [];
  const order = new SessionOrder({
    release: (e) => released.push(e.seq ?? e.type),
    fetchGap: async (after, upTo) => {
      fetches.push([after, upTo]);
      return fetched.filter((e) => e.seq !== undefined && e.seq > after && e.seq <= upTo);
    },
    gapWaitMs: 5,
    onError: () => {},
  });
  return { order, released, fetches };
}

describe("SessionOrder", () => {
  it("releases events that arrive out of order in seq order, unstored ones in place", () => {
    const { order, released } = harness();
    order.start(4);
    order.push(event(6));
    order.push(event(undefined, "stream_chunk")); // behind 6, so behind 5 too
    order.push(event(5));
    order.push(event(5)); // a duplicate publish
    order.push(event(3)); // history
    order.push(event(7));
    expect(released).toEqual([5, 6, "stream_chunk", 7]);
    order.close();
  });

  it("holds events that arrive before the start point is known", () => {
    const { order, released } = harness();
    order.push(event(2));
    order.push(event(3));
    expect(released).toEqual([]);
    order.start(2);
    expect(released).toEqual([3]);
  });

  it("reads a gap that never arrives from PostgreSQL and skips seqs that no longer exist", async () => {
    // 11 was superseded (its message's latest event is now 14); 12 is only in PostgreSQL.
    const { order, released, fetches } = harness([event(12), event(14)]);
    order.start(10);
    order.push(event(13));
    await expect.poll(() => released).toEqual([12, 13]);
    expect(fetches).toEqual([[10, 13]]);
    order.push(event(14));
    expect(released).toEqual([12, 13, 14]);
    order.close();
  });
});
