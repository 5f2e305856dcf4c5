import { Redis } from "ioredis";
import type { ErrorReporter } from "../options";
import { APPEND_AND_PUBLISH_MANY_COMMAND } from "./buffers";

export type ConnectionRole = "commands" | "subscriber" | "blocking";

export interface ConnectionSettings {
  url: string;
  /** Prefix of the CLIENT SETNAME name, so operators (and tests) can tell connections apart. */
  name: string;
  maxRetriesPerRequest: number;
  /** Milliseconds before an unanswered command on the commands connection rejects. */
  commandTimeoutMs: number;
  onError: ErrorReporter;
}

/**
 * One ioredis connection. Reconnection is ioredis's default (forever, backing off to 2 s); what
 * is bounded is how long a *command* waits: after `maxRetriesPerRequest` failed reconnects it
 * rejects, so an outage surfaces as errors instead of calls that hang until Redis returns.
 * `autoResubscribe` stays at its default (true): after a reconnect the subscriber connection
 * re-subscribes every channel by itself, and listeners keep receiving.
 */
export function openConnection(settings: ConnectionSettings, role: ConnectionRole): Redis {
  const connection = new Redis(settings.url, {
    connectionName: `${settings.name}:${role}`.replace(/\s/g, "_"),
    maxRetriesPerRequest: settings.maxRetriesPerRequest,
    // Commands issued in one tick go out in one write: under fan-out load (thousands of
    // PUBLISHes a second) that saves a syscall per command here and a read per command in Redis.
    enableAutoPipelining: role === "commands",
    autoPipeliningIgnoredCommands: [APPEND_AND_PUBLISH_MANY_COMMAND],
    // A Redis that stopped answering without closing the socket (frozen, a half-open link)
    // would leave every command waiting forever, and the requests waiting on them: a command
    // unanswered for this long rejects, so callers get an error they can report and retry.
    ...(role === "commands" && { commandTimeout: settings.commandTimeoutMs }),
    ...(role === "blocking" && {
      // A socket that died silently would otherwise leave XREADGROUP BLOCK waiting forever:
      // ioredis resolves it with "nothing" (null) once BLOCK plus this grace has passed.
      blockingTimeout: 30_000,
      blockingTimeoutGrace: 5_000,
    }),
  });
  // Without a listener ioredis prints every failed reconnect; the app decides what to log.
  connection.on("error", (error: unknown) => settings.onError(error, "connection"));
  return connection;
}

/**
 * QUIT lets replies already on the way arrive. While Redis is unreachable it could wait in the
 * offline queue, so it gets `graceMs`; then the socket is dropped and reconnecting stops.
 */
export async function closeConnection(connection: Redis, graceMs = 1_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.quit(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
  } catch {
    // Already closed or never connected: nothing left to say goodbye to.
  } finally {
    clearTimeout(timer);
    connection.disconnect();
  }
}

/** True for a Redis error reply starting with `code` (e.g. BUSYGROUP, NOGROUP). */
export function isReplyError(error: unknown, code: string): boolean {
  return error instanceof Error && error.message.startsWith(code);
}
