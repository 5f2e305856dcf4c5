import { percentile } from "../report";

/** Per-method call durations of wrapped objects (BENCH_TRACE of `bench:stream`). */
const stats = new Map<string, number[]>();

/** `target` with every promise-returning method timed under `${name}.${method}`. */
export function traced<T extends object>(name: string, target: T): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const result: unknown = value.apply(object, args);
        if (!(result instanceof Promise)) return result;
        return result.finally(() => {
          const label = `${name}.${String(key)}`;
          const durations = stats.get(label) ?? [];
          durations.push(performance.now() - started);
          stats.set(label, durations);
        });
      };
    },
  });
}

/** One line per traced method: calls per `per` (e.g. per job) and their time, p50/p99/max. */
export function callStatsLines(per: number, perName: string): string[] {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  return [...stats]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([key, durations]) =>
        `${key.padEnd(28)} ${(durations.length / per).toFixed(2).padStart(7)} per ${perName}, p50 ${ms(percentile(durations, 50))}, p99 ${ms(percentile(durations, 99))}, max ${ms(Math.max(...durations))}`,
    );
}
