import { appendFileSync } from "node:fs";

/**
 * One row of the suite's summary table (issue 9): a fault injected, a fuzz campaign or an
 * authorization sweep, with the figures it checked. `scripts/test.mjs` points
 * `CHAT_SUITE_REPORT` at a JSON-lines file, and prints every row after the passes.
 */
export interface SuiteFigure {
  section: "fault" | "fuzz" | "authz";
  /** What was done, e.g. "kill -9 ws-edge" or "WS frames (mutated)". */
  name: string;
  /** Counts and durations, e.g. `{ messages: 400, lost: 0, duplicated: 0, recovery_ms: 812 }`. */
  figures: Record<string, number | string>;
}

/** Records a row for the summary table; does nothing when the suite runs without a report file. */
export function reportSuiteFigure(row: SuiteFigure): void {
  const file = process.env.CHAT_SUITE_REPORT;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ ...row, pass: passLabel() })}\n`);
}

function passLabel(): string {
  if (process.env.CHAT_SUITE_PASS) return process.env.CHAT_SUITE_PASS;
  return process.env.DATABASE_URL ? "real" : "embedded";
}
