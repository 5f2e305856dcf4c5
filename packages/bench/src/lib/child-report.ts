import { monitorEventLoopDelay } from "node:perf_hooks";

/** What a measured child process of `bench:stream` answers to "cpu". */
export interface ChildReport {
  /** process.cpuUsage(), user + system, so far. */
  cpuMicros: number;
  /** Its event loop's delay since the previous report, in ms. */
  loopDelay: { p99: number; max: number };
}

/**
 * Answers every "cpu" message from the parent with a {@link ChildReport}. The event-loop delay
 * histogram (1 ms resolution) starts over at each report, so the report at the end of a window
 * covers that window.
 */
export function answerCpuReports(): void {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on("message", (message) => {
    if (message !== "cpu") return;
    const usage = process.cpuUsage();
    const report: ChildReport = {
      cpuMicros: usage.user + usage.system,
      loopDelay: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
    };
    delay.reset();
    process.send?.(report);
  });
}
