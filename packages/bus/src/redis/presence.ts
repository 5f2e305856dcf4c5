import type { Redis } from "ioredis";
import { keys } from "../channels";
import type { Lifecycle } from "../errors";
import { ttlToMs } from "../options";
import type { Presence, PresenceEntry } from "../types";

/** Redis's own clock, so edges with skewed clocks agree on what has expired. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: user's connections, session's users. ARGV: member, user id, ttl ms.
 * Returns 1 when the user was not present in the session before (a join to announce).
 */
const JOIN = `${NOW}
local ttl = tonumber(ARGV[3])
local score = redis.call('ZSCORE', KEYS[2], ARGV[2])
local present = score and tonumber(score) > now
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl, 'GT')
redis.call('PEXPIRE', KEYS[1], ttl, 'NX')
redis.call('ZADD', KEYS[2], 'GT', now + ttl, ARGV[2])
redis.call('ZADD', KEYS[2], 'NX', now + ttl, ARGV[2])
redis.call('PEXPIRE', KEYS[2], ttl, 'GT')
redis.call('PEXPIRE', KEYS[2], ttl, 'NX')
if present then return 0 end
return 1`;

/**
 * KEYS: user's connections, session's users. ARGV: member, user id, member prefix of the session.
 * Returns 1 when no other live connection of the user is left in the session (a leave to announce).
 */
const LEAVE = `${NOW}
redis.call('ZREM', KEYS[1], ARGV[1])
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
for _, member in ipairs(live) do
  if string.sub(member, 1, #ARGV[3]) == ARGV[3] then return 0 end
end
return redis.call('ZREM', KEYS[2], ARGV[2])`;

/** KEYS: session's users. Removes and returns the users whose presence expired. */
const SWEEP = `${NOW}
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) end
return gone`;

/** Live users: the ones whose expiry is in the future. */
const USERS = `${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')`;

type Scripted = Redis & {
  presenceJoin(a: string, b: string, member: string, user: string, ttl: number): Promise<number>;
  presenceLeave(a: string, b: string, member: string, user: string, prefix: string): Promise<number>;
  presenceSweep(a: string): Promise<string[]>;
  presenceUsers(a: string): Promise<string[]>;
};

export const memberOf = (entry: PresenceEntry) => `${entry.sessionId}\n${entry.connectionId}`;

/** Presence on Redis: each operation is one script, so edges never race on "first"/"last". */
export function createRedisPresence(commands: Redis, life: Lifecycle, key: (name: string) => string): Presence {
  const redis = commands as Scripted;
  if (!("presenceJoin" in commands)) {
    commands.defineCommand("presenceJoin", { numberOfKeys: 2, lua: JOIN });
    commands.defineCommand("presenceLeave", { numberOfKeys: 2, lua: LEAVE });
    commands.defineCommand("presenceSweep", { numberOfKeys: 1, lua: SWEEP });
    commands.defineCommand("presenceUsers", { numberOfKeys: 1, lua: USERS });
  }
  const userKey = (entry: PresenceEntry) => key(keys.connections(entry.userId));
  const sessionKey = (sessionId: string) => key(keys.sessionUsers(sessionId));
  const join = (entry: PresenceEntry, ttlMs: number) =>
    redis.presenceJoin(userKey(entry), sessionKey(entry.sessionId), memberOf(entry), entry.userId, ttlMs);

  return {
    async join(entry, ttlSeconds) {
      life.assertOpen();
      return (await join(entry, ttlToMs(ttlSeconds))) === 1;
    },
    async refresh(entries, ttlSeconds) {
      life.assertOpen();
      const ttlMs = ttlToMs(ttlSeconds);
      // Auto-pipelined by ioredis: thousands of refreshes go out in a few writes.
      const results = await Promise.all(entries.map((entry) => join(entry, ttlMs)));
      return entries.filter((_, i) => results[i] === 1);
    },
    async leave(entry) {
      life.assertOpen();
      const gone = await redis.presenceLeave(
        userKey(entry),
        sessionKey(entry.sessionId),
        memberOf(entry),
        entry.userId,
        `${entry.sessionId}\n`,
      );
      return gone === 1;
    },
    async sweep(sessionId) {
      life.assertOpen();
      return redis.presenceSweep(sessionKey(sessionId));
    },
    async users(sessionId) {
      life.assertOpen();
      return redis.presenceUsers(sessionKey(sessionId));
    },
  };
}
