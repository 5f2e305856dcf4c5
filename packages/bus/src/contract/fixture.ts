import { vi } from "vitest";
import type { Bus, BusOptions, MessageListener } from "../types";

/** What the contract suites need from an implementation under test. */
export interface ContractFixture {
  readonly kind: "memory" | "redis";
  /**
   * A bus in this test's random namespace, closed after the test. `namespace` names a second
   * namespace, still unique to this test.
   */
  bus(options?: { namespace?: string; onError?: BusOptions["onError"] }): Bus;
  /** Redis only: how many connections Redis has subscribed to `channel` of this test's namespace. */
  remoteSubscribers?(channel: string): Promise<number>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A listener that records what it gets. */
export function collector(): { messages: string[]; channels: string[]; listener: MessageListener } {
  const messages: string[] = [];
  const channels: string[] = [];
  return {
    messages,
    channels,
    listener: (payload, channel) => {
      messages.push(payload);
      channels.push(channel);
    },
  };
}

/** Resolves once `messages` holds `count` entries (fails the test after 3 s). */
export function received(messages: string[], count: number): Promise<void> {
  return vi.waitFor(
    () => {
      if (messages.length < count) throw new Error(`got ${messages.length} of ${count} messages`);
    },
    { timeout: 3_000, interval: 5 },
  );
}

/**
 * Publishes a marker on `channel` and waits for `marker` to see it: everything published on
 * the same bus before it has been delivered by then (Redis keeps one connection's order).
 */
export async function flush(bus: Bus, channel: string, marker: string[]): Promise<void> {
  const before = marker.length;
  await bus.pubsub.publish(channel, "__flush__");
  await received(marker, before + 1);
}
