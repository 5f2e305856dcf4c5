import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import { percentile } from "./report";

/** One load scenario: GETs at a fixed rate, each path chosen by `nextPath`. */
export interface Scenario {
  name: string;
  rate: number;
  nextPath: () => string;
  token: string;
}

export interface ScenarioResult {
  name: string;
  rate: number;
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

/**
 * Runs one scenario open-loop at a fixed rate: request i is due at start + i/rate, evenly
 * spaced, sent then whether or not earlier ones have answered (over a keep-alive pool with
 * connections to spare), and its latency is counted from when it was due, not from when it went
 * out, so a stalled server cannot hide its backlog (coordinated omission; wrk2's method).
 * autocannon's `overallRate` was used before: it sends each second's quota in a burst at the
 * start of the second (mcollina/autocannon#174), so "500 req/s" meant bursts of 500 queued at
 * once, and its percentiles measured that queue.
 */
export async function runScenario(baseUrl: string, scenario: Scenario, seconds: number): Promise<ScenarioResult> {
  const pool = new Pool(baseUrl, { connections: Math.max(20, Math.ceil(scenario.rate / 10)) });
  const headers = { authorization: `Bearer ${scenario.token}` };
  const total = Math.max(1, Math.round(scenario.rate * seconds));
  const interval = 1_000 / scenario.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    pending.push(
      pool.request({ method: "GET", path: scenario.nextPath(), headers }).then(
        async (response) => {
          await response.body.text();
          latencies.push(performance.now() - due);
          if (response.statusCode < 200 || response.statusCode >= 300) non2xx += 1;
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1_000;
  await pool.close();
  return {
    name: scenario.name,
    rate: scenario.rate,
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50: round(percentile(latencies, 50)),
    p90: round(percentile(latencies, 90)),
    p99: round(percentile(latencies, 99)),
    max: round(percentile(latencies, 100)),
    non2xx,
    errors,
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
