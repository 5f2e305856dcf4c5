import type { Logger } from "./logger";

/**
 * For `main.ts` only: run `shutdown` once on SIGTERM/SIGINT, then exit. A second signal exits
 * at once. Libraries and tests never install signal handlers.
 */
export function exitOnSignals(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, "shutting down");
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

/** For `main.ts` only: report a start-up failure (e.g. a bad variable) and exit 1. */
export function exitOnStartupError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`chat-service failed to start: ${message}\n`);
  process.exit(1);
}
