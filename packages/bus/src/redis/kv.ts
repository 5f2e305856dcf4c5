import type { Redis } from "ioredis";
import type { Lifecycle } from "../errors";
import { ttlToMs } from "../options";
import type { KeyValue } from "../types";
import { execResults } from "./replies";

/** Strings and sets with expiry. TTLs go out in milliseconds (PX/PEXPIRE) so fractions work. */
export function createRedisKv(commands: Redis, life: Lifecycle, key: (name: string) => string): KeyValue {
  return {
    async get(name) {
      life.assertOpen();
      return commands.get(key(name));
    },

    async set(name, value, ttlSeconds) {
      life.assertOpen();
      if (ttlSeconds === undefined) await commands.set(key(name), value);
      else await commands.set(key(name), value, "PX", ttlToMs(ttlSeconds));
    },

    async del(name) {
      life.assertOpen();
      await commands.del(key(name));
    },

    async sadd(name, members, ttlSeconds) {
      life.assertOpen();
      const ttlMs = ttlSeconds === undefined ? undefined : ttlToMs(ttlSeconds);
      if (members.length === 0) {
        // Nothing to add (SADD needs a member); still honour the expiry refresh.
        if (ttlMs !== undefined) await commands.pexpire(key(name), ttlMs);
        return;
      }
      if (ttlMs === undefined) {
        await commands.sadd(key(name), ...members);
        return;
      }
      // One transaction: the set never lingers without the expiry that should clean it up.
      execResults(
        await commands
          .multi()
          .sadd(key(name), ...members)
          .pexpire(key(name), ttlMs)
          .exec(),
      );
    },

    async srem(name, members) {
      life.assertOpen();
      if (members.length > 0) await commands.srem(key(name), ...members);
    },

    async smembers(name) {
      life.assertOpen();
      return commands.smembers(key(name));
    },
  };
}
