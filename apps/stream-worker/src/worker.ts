import { setMaxListeners } from "node:events";
import type { Job } from "@chat/bus";
import { decodeJob } from "@chat/core";
import { ChatError } from "@chat/protocol";
import type { StreamWorkerDeps } from "./options";
import { runJob } from "./run-job";

export interface StreamWorker {
  /** Start taking jobs. Idempotent. */
  start(): void;
  /** Jobs running right now. */
  activeCount(): number;
  /** True once `close()` started. */
  readonly draining: boolean;
  /**
   * Stop taking jobs, let running replies finish until the drain deadline, then release the
   * rest (left pending, another worker claims them). Idempotent.
   */
  close(): Promise<void>;
}

export function createStreamWorker(deps: StreamWorkerDeps): StreamWorker {
  const concurrency = deps.concurrency ?? 64;
  const claimIdleMs = deps.claimIdleMs ?? 30_000;
  const maxDeliveries = deps.maxDeliveries ?? 5;
  const blockMs = deps.blockMs ?? 1_000;
  const logger = deps.logger.child({ consumer: deps.consumer });
  const shutdown = new AbortController();
  // Every running reply listens to it: as many listeners as the concurrency, by design.
  setMaxListeners(0, shutdown.signal);
  /** Running jobs by job id (the heartbeat touches them). */
  const running = new Map<string, Promise<void>>();
  let started = false;
  let draining = false;
  let closed: Promise<void> | undefined;
  let readerDone: Promise<void> = Promise.resolve();
  let claimTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;

  async function handle(job: Job): Promise<void> {
    const payload = decodeJob(job.payload);
    if (!payload) {
      logger.error({ job_id: job.id }, "malformed job dropped");
      await deps.bus.jobs.ack(job.id);
      return;
    }
    // How long the reply waited for a worker slot. Only the first delivery: a redelivery waited
    // for its dead worker's claim timeout instead. Wall clocks of two hosts: never below 0.
    if (job.deliveries === 1) {
      const waitedMs = Date.now() - Date.parse(payload.enqueued_at);
      if (Number.isFinite(waitedMs)) deps.metrics?.jobWait.observe(Math.max(waitedMs, 0) / 1_000);
    }
    if (job.deliveries > maxDeliveries) {
      logger.error({ job_id: job.id, session_id: payload.session_id, deliveries: job.deliveries }, "job dead-lettered");
      // The session still gets its one final reply: an error, stored (the row is created if
      // no delivery got that far) and streamed like any other ending.
      const giveUp = new ChatError("AGENT_ERROR", "The agent reply failed repeatedly");
      const done = await runJob(payload, job.deliveries, { deps, shutdown: shutdown.signal, giveUp });
      if (done) await deps.bus.jobs.ack(job.id);
      return;
    }
    const done = await runJob(payload, job.deliveries, { deps, shutdown: shutdown.signal });
    if (done) await deps.bus.jobs.ack(job.id);
  }

  function launch(job: Job): void {
    // A redelivery of a job this worker is still running (its own stale claim) is not run twice.
    if (running.has(job.id)) return;
    const task = handle(job)
      .catch((error: unknown) => logger.error({ err: error, job_id: job.id }, "job failed; left for retry"))
      .finally(() => running.delete(job.id));
    running.set(job.id, task);
  }

  /** Tell the queue the running jobs are alive, so no other worker claims them as stale. */
  async function heartbeat(): Promise<void> {
    if (running.size === 0) return;
    try {
      await deps.bus.jobs.touch(deps.consumer, [...running.keys()]);
    } catch (error) {
      logger.warn({ err: error }, "job heartbeat failed");
    }
  }

  async function readLoop(): Promise<void> {
    while (!draining) {
      const room = concurrency - running.size;
      if (room <= 0) {
        await Promise.race(running.values());
        continue;
      }
      try {
        const jobs = await deps.bus.jobs.read({ consumer: deps.consumer, count: room, blockMs });
        for (const job of jobs) launch(job);
      } catch (error) {
        if (draining) break;
        logger.warn({ err: error }, "job read failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async function claimStale(): Promise<void> {
    if (draining || running.size >= concurrency) return;
    try {
      const jobs = await deps.bus.jobs.claimStale({
        consumer: deps.consumer,
        minIdleMs: claimIdleMs,
        count: concurrency - running.size,
      });
      for (const job of jobs) launch(job);
    } catch (error) {
      logger.warn({ err: error }, "claiming stale jobs failed");
    }
  }

  return {
    start() {
      if (started || draining) return;
      started = true;
      readerDone = readLoop();
      claimTimer = setInterval(() => void claimStale(), Math.max(claimIdleMs / 2, 500));
      claimTimer.unref();
      // Well inside the idle time, so a live worker's job never looks stale.
      heartbeatTimer = setInterval(() => void heartbeat(), Math.max(claimIdleMs / 3, 50));
      heartbeatTimer.unref();
      void claimStale();
    },
    activeCount: () => running.size,
    get draining() {
      return draining;
    },
    close() {
      closed ??= (async () => {
        draining = true;
        clearInterval(claimTimer);
        await readerDone;
        const deadline = new Promise((resolve) => setTimeout(resolve, deps.drainTimeoutMs ?? 10_000).unref());
        await Promise.race([Promise.allSettled([...running.values()]), deadline]);
        shutdown.abort();
        await Promise.allSettled([...running.values()]);
        clearInterval(heartbeatTimer);
      })();
      return closed;
    },
  };
}
