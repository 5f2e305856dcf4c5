import type { Lifecycle } from "../errors";
import { ttlToMs } from "../options";
import type { KeyValue } from "../types";
import type { MemoryHub, StoredValue } from "./hub";

/** Same message and meaning as Redis's, so code that handles one handles both. */
function wrongType(): Error {
  return new Error("WRONGTYPE Operation against a key holding the wrong kind of value");
}

function expiry(ttlSeconds: number | undefined): number | undefined {
  return ttlSeconds === undefined ? undefined : Date.now() + ttlToMs(ttlSeconds);
}

/** Strings and sets with expiry, with Redis's semantics (SET clears a TTL, SADD keeps it...). */
export function createMemoryKv(hub: MemoryHub, life: Lifecycle, key: (name: string) => string): KeyValue {
  function setOf(name: string): Extract<StoredValue, { kind: "set" }> | undefined {
    const stored = hub.value(key(name));
    if (stored && stored.kind !== "set") throw wrongType();
    return stored;
  }

  return {
    async get(name) {
      life.assertOpen();
      const stored = hub.value(key(name));
      if (!stored) return null;
      if (stored.kind !== "string") throw wrongType();
      return stored.value;
    },

    async set(name, value, ttlSeconds) {
      life.assertOpen();
      hub.setValue(key(name), { kind: "string", value, expiresAt: expiry(ttlSeconds) });
    },

    async del(name) {
      life.assertOpen();
      hub.deleteValue(key(name));
    },

    async sadd(name, members, ttlSeconds) {
      life.assertOpen();
      const expiresAt = expiry(ttlSeconds);
      let stored = setOf(name);
      if (!stored) {
        // SADD with no members creates nothing (Redis would reject the empty command).
        if (members.length === 0) return;
        stored = { kind: "set", members: new Set(), expiresAt: undefined };
        hub.setValue(key(name), stored);
      }
      for (const member of members) stored.members.add(member);
      if (expiresAt !== undefined) stored.expiresAt = expiresAt;
    },

    async srem(name, members) {
      life.assertOpen();
      const stored = setOf(name);
      if (!stored) return;
      for (const member of members) stored.members.delete(member);
      // Redis deletes a set when its last member goes (and its TTL with it).
      if (stored.members.size === 0) hub.deleteValue(key(name));
    },

    async smembers(name) {
      life.assertOpen();
      return [...(setOf(name)?.members ?? [])];
    },
  };
}
