import { Lifecycle } from "./errors";
import { resolveBusOptions } from "./options";
import { BlockingPool } from "./redis/blocking-pool";
import { createRedisBuffers } from "./redis/buffers";
import { closeConnection, openConnection } from "./redis/connections";
import { createRedisJobs } from "./redis/jobs";
import { createRedisKv } from "./redis/kv";
import { createRedisPresence } from "./redis/presence";
import { createRedisPubSub } from "./redis/pubsub";
import type { Bus, BusOptions } from "./types";

export interface RedisBusOptions extends BusOptions {
  /**
   * Reconnect attempts a command waits through before it rejects. Connections themselves keep
   * reconnecting forever; this only stops calls from hanging while Redis is away. @default 3
   */
  maxRetriesPerRequest?: number;
  /** Connections for concurrent `jobs.read` calls; more reads than this queue. @default 4 */
  maxBlockingConnections?: number;
  /** Milliseconds before an unanswered command rejects (Redis frozen, a half-open link). @default 2_000 */
  commandTimeoutMs?: number;
  /** CLIENT SETNAME prefix: connections show up as `{name}:commands` and so on. @default "chat-bus" */
  connectionName?: string;
}

/**
 * The bus on Redis (ioredis), with separate connections because each one would otherwise get
 * in the others' way:
 * - commands: every ordinary command, publishes included;
 * - subscriber: a connection in subscribe mode may run nothing but (UN)SUBSCRIBE and PING;
 * - blocking reads (a small pool): XREADGROUP BLOCK holds its connection until a job arrives
 *   or the block ends, and every command queued behind it would wait as long.
 */
export function createRedisBus(url: string, options: RedisBusOptions = {}): Bus {
  const { prefix, jobStream, jobGroup, onError } = resolveBusOptions(options);
  const settings = {
    url,
    name: options.connectionName ?? "chat-bus",
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3,
    commandTimeoutMs: options.commandTimeoutMs ?? 2_000,
    onError,
  };
  const life = new Lifecycle("redis");
  const commands = openConnection(settings, "commands");
  const subscriber = openConnection(settings, "subscriber");
  const pool = new BlockingPool(() => openConnection(settings, "blocking"), options.maxBlockingConnections ?? 4);
  const pubsub = createRedisPubSub({ commands, subscriber, life, prefix, onError });
  let closed: Promise<void> | undefined;

  return {
    kind: "redis",
    pubsub,
    jobs: createRedisJobs({
      commands,
      pool,
      life,
      stream: jobStream,
      group: jobGroup,
      keyOf: (key) => prefix + key,
    }),
    buffers: createRedisBuffers(commands, life, (streamId) => prefix + streamId),
    kv: createRedisKv(commands, life, (key) => prefix + key),
    presence: createRedisPresence(commands, life, (key) => prefix + key),
    redis: commands,
    keyPrefix: prefix,
    async ping() {
      life.assertOpen();
      await Promise.all([commands.ping(), subscriber.ping(), pool.ping()]);
    },
    close() {
      closed ??= (async () => {
        life.markClosed();
        pubsub.close();
        pool.close();
        await Promise.all([closeConnection(commands), closeConnection(subscriber)]);
      })();
      return closed;
    },
  };
}
