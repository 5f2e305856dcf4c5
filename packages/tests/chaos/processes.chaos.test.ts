import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChaosCluster } from "../src/chaos/cluster";
import { runFault } from "../src/chaos/fault";
import { chaosAvailable } from "../src/chaos/private-postgres";
import type { AppProcess } from "../src/processes";

// App processes die without warning (kill -9) while users chat: clients reconnect to another
// edge and recover by seq; a job whose worker died is taken over by the other worker.
// CI must run it: there a missing binary fails instead of skipping.
describe.skipIf(!chaosAvailable && !process.env.CI)("process crashes", () => {
  let cluster: ChaosCluster;
  beforeAll(async () => {
    cluster = await ChaosCluster.start({ edges: 2, workers: 2 });
  });
  afterAll(() => cluster?.close());

  it("kill -9 a ws-edge mid-conversation: clients move to the other edge, nothing lost", async () => {
    const victim = cluster.of("ws-edge")[0] as AppProcess;
    await runFault(cluster, {
      name: "kill -9 ws-edge",
      inject: () => cluster.crash(victim, { restart: false }).then(() => undefined),
    });
    // The replacement comes back on the same port for the next test.
    await cluster.add("ws-edge", victim.port);
  });

  it("SIGKILL a stream-worker mid-reply: the other worker finishes, one final reply each", async () => {
    await runFault(cluster, {
      name: "SIGKILL stream-worker mid-reply",
      plain: 1,
      withAgent: 4,
      async inject() {
        await cluster.crash(await busyWorker(cluster), { restart: false });
      },
    });
    await cluster.add("stream-worker");
  });
});

/**
 * Waits until both workers hold a job in the middle of its reply (each a consumer with pending
 * entries in the job stream's group), so killing either kills a reply in flight.
 */
async function busyWorker(cluster: ChaosCluster): Promise<AppProcess> {
  await expect
    .poll(
      async () => {
        const summary = await cluster.redis.cli("XPENDING", "chat:jobs", "chat-workers");
        // redis-cli prints the summary flat: count, first id, last id, then consumer/count pairs.
        return (summary.split("\n").length - 3) / 2;
      },
      { timeout: 10_000, interval: 50 },
    )
    .toBeGreaterThanOrEqual(2);
  return cluster.of("stream-worker")[0] as AppProcess;
}
