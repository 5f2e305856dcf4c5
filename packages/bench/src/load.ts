import autocannon from "autocannon";

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
 * Runs one scenario with autocannon at a fixed overall rate (latencies corrected for
 * coordinated omission, autocannon's default with a rate).
 */
export async function runScenario(baseUrl: string, scenario: Scenario, seconds: number): Promise<ScenarioResult> {
  const result = await autocannon({
    url: baseUrl,
    // Enough connections that a connection never has to wait for its previous answer to keep the rate.
    connections: Math.max(20, Math.ceil(scenario.rate / 10)),
    duration: seconds,
    overallRate: scenario.rate,
    requests: [
      {
        method: "GET",
        headers: { authorization: `Bearer ${scenario.token}` },
        setupRequest: (request) => ({ ...request, path: scenario.nextPath() }),
      },
    ],
  });
  return {
    name: scenario.name,
    rate: scenario.rate,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
