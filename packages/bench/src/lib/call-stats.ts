/** Per-method call counts and durations of wrapped objects (BENCH_TRACE of `bench:stream`). */
const stats = new Map<string, { calls: number; totalMs: number; maxMs: number }>();

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
          const took = performance.now() - started;
          const entry = stats.get(`${name}.${String(key)}`) ?? { calls: 0, totalMs: 0, maxMs: 0 };
          entry.calls += 1;
          entry.totalMs += took;
          entry.maxMs = Math.max(entry.maxMs, took);
          stats.set(`${name}.${String(key)}`, entry);
        });
      };
    },
  });
}

/** One line per traced method, calls per `per` (e.g. per job) and mean/max time. */
export function callStatsLines(per: number, perName: string): string[] {
  return [...stats]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([key, s]) =>
        `${key.padEnd(28)} ${(s.calls / per).toFixed(2).padStart(7)} per ${perName}, mean ${(s.totalMs / s.calls).toFixed(2)} ms, max ${s.maxMs.toFixed(1)} ms`,
    );
}
