import { type Logger, pino } from "pino";

export type { Logger };

export interface LoggerOptions {
  /** App name: api, ws-edge, stream-worker, standalone. */
  name: string;
  level?: string;
  instanceId?: string;
  /** Where to write; stdout by default. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/**
 * Structured JSON logs. Tokens, cookies, Authorization headers and message bodies are never
 * logged: callers do not pass them, and these paths are redacted in case one slips through.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? "info",
      base: { instance_id: options.instanceId, pid: process.pid },
      redact: {
        paths: [
          "token",
          "*.token",
          "authorization",
          "*.authorization",
          "req.headers.authorization",
          "req.headers.cookie",
          "headers.authorization",
          "headers.cookie",
          "content",
          "*.content",
        ],
        censor: "[redacted]",
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/** A logger that discards everything (tests that do not read logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
