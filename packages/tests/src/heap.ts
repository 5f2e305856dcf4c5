import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/** This process's heap in use after full GCs, and its RSS (which a GC rarely gives back). */
export function settledMemory(): { heap: number; rss: number } {
  // V8's full GC without starting Node with --expose-gc: the flag is set when first needed.
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = (globalThis.gc ?? runInNewContext("gc")) as () => void;
  }
  for (let i = 0; i < 3; i++) gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}

/** Growth between two readings, in MB with one decimal. */
export function memoryGrowthMb(before: { heap: number; rss: number }, after: { heap: number; rss: number }) {
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return { heap_growth_mb: mb(after.heap - before.heap), rss_growth_mb: mb(after.rss - before.rss) };
}
