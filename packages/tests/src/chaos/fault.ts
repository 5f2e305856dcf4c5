import { expect } from "vitest";
import { reportSuiteFigure } from "../suite-report";
import { backToBaseline, measure } from "./baseline";
import type { ChaosCluster } from "./cluster";
import { Conversation } from "./conversation";
import { NOTHING_WRONG, settle } from "./oracle";
import { Probe, unclearErrorFrames } from "./probe";
import { recoveryMs, sleep, startTraffic } from "./traffic";

export interface FaultOptions {
  /** Row name in the suite's summary table. */
  name: string;
  /**
   * Breaks something and, where the fault has an end, mends it (resolves once mended). Gets the
   * conversations under traffic; may return extra figures for the summary table.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: most injections are `async () => {...}` (Promise<void>)
  inject: (conversations: Conversation[]) => Promise<void | Record<string, number>>;
  /** Conversations without an agent, and with the demo agent answering every message. */
  plain?: number;
  withAgent?: number;
  /** How long to wait for everything to settle after the fault. @default 45_000 */
  settleMs?: number;
}

/**
 * One fault under traffic, end to end: baseline, conversations sending through the SDK, a REST
 * probe, the fault, then the oracle (nothing acknowledged lost or duplicated, order kept, one
 * final reply per message), bounded answers while it lasted, and resources back to baseline.
 */
export async function runFault(cluster: ChaosCluster, options: FaultOptions): Promise<void> {
  expect(cluster.exited(), "every app is up before the fault").toEqual([]);
  const base = await measure(cluster);
  const plain = options.plain ?? 4;
  const conversations = await Promise.all([
    ...Array.from({ length: plain }, (_, index) => Conversation.open(cluster, { index })),
    ...Array.from({ length: options.withAgent ?? 2 }, (_, i) =>
      Conversation.open(cluster, { index: plain + i, agent: true }),
    ),
  ]);
  const chatty = conversations.filter((_, i) => i < plain);
  const agentic = conversations.filter((_, i) => i >= plain);
  const traffic = [startTraffic(chatty, 150), startTraffic(agentic, 700)];
  const probe = await Probe.start(cluster);
  await sleep(1_000);
  const faultAt = Date.now();
  const extra = (await options.inject(conversations)) ?? {};
  const mendedAt = Date.now();
  // A fault of a dependency must never take an app down with it.
  expect(cluster.exited(), "apps that died of the fault").toEqual([]);
  const recovery = await recoveryMs(conversations, mendedAt, options.settleMs ?? 45_000);
  // CHAOS_DEBUG=1: what each conversation saw and the apps' last log lines, to chase a failure.
  if (process.env.CHAOS_DEBUG) {
    console.log(options.name, { faultAt, mendedAt, recovery });
    for (const c of conversations)
      console.log(
        c.sessionId,
        c.errors.map((e) => e.code).join(","),
        c.ackTimes.filter((t) => t.sentAt >= mendedAt).slice(0, 3),
      );
    for (const app of cluster.apps)
      console.log(
        app.name,
        app.port,
        app.logs.slice(-5).map((l) => l.slice(0, 300)),
      );
  }
  await sleep(500);
  await Promise.all(traffic.map((t) => t.stop()));
  const probed = await probe.stop();
  const timeoutMs = options.settleMs ?? 45_000;
  const [chat, agents] = await Promise.all([
    settle(cluster, chatty, { timeoutMs }),
    settle(cluster, agentic, { agent: true, timeoutMs }),
  ]);
  for (const c of conversations) c.close();
  // An app may also die later, while the cluster recovers (its logs say why).
  expect(cluster.exited(), "apps that died after the fault").toEqual([]);
  const lostPosts = await probe.lostPosts();
  const leaks = await backToBaseline(cluster, base);
  const details = [...chat.details, ...agents.details];
  const verdict = {
    messages: chat.messages + agents.messages,
    lost: chat.lost + agents.lost + lostPosts,
    duplicated: chat.duplicated + agents.duplicated,
    out_of_order: chat.out_of_order + agents.out_of_order,
    unacked: chat.unacked + agents.unacked,
    reply_faults: agents.reply_faults,
  };
  const unclearFrames = unclearErrorFrames(conversations.flatMap((c) => c.errors));
  reportSuiteFigure({
    section: "fault",
    name: options.name,
    figures: {
      ...verdict,
      fault_ms: mendedAt - faultAt,
      recovery_ms: recovery,
      probes: probed.requests,
      probe_errors: probed.retryable,
      hung: probed.hung,
      leaks: leaks.length,
      ...extra,
    },
  });
  expect({ ...verdict, messages: 0 }, details.join("\n").slice(0, 4_000)).toEqual(NOTHING_WRONG);
  expect(verdict.messages, "traffic flowed").toBeGreaterThan(20);
  expect(recovery, "every conversation got a message through after the fault").toBeGreaterThanOrEqual(0);
  expect(
    probed.hungRequests,
    `REST requests that did not answer within their bound (fault ${faultAt}–${mendedAt})`,
  ).toEqual([]);
  expect(probed.unclear, "REST answers without a retryable catalog code").toEqual([]);
  expect(unclearFrames, "WS error frames without a retryable catalog code").toEqual([]);
  expect(leaks, "resources back to baseline").toEqual([]);
}
