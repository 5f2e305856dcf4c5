/** How long to wait between reconnect attempts. */
export interface BackoffOptions {
  /** First delay in ms. @default 500 */
  initialMs?: number;
  /** Largest delay in ms. @default 15_000 */
  maxMs?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
}

/**
 * Exponential backoff with jitter: attempt n waits a random time between half and all of
 * `initialMs * factor^n` (capped), so a thousand clients cut off by one edge restart do not
 * all come back in the same millisecond.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 15_000;
  const factor = options.factor ?? 2;
  const ceiling = Math.min(max, initial * factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
