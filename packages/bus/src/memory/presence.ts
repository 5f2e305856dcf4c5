import { keys } from "../channels";
import type { Lifecycle } from "../errors";
import { ttlToMs } from "../options";
import { memberOf } from "../redis/presence";
import type { Presence, PresenceEntry } from "../types";
import type { MemoryHub, StoredValue } from "./hub";

type SortedSet = Extract<StoredValue, { kind: "zset" }>;

/** Presence in process: the Redis scripts' logic over the hub's sorted sets (see redis/presence.ts). */
export function createMemoryPresence(hub: MemoryHub, life: Lifecycle, key: (name: string) => string): Presence {
  function zset(name: string, create: boolean): SortedSet | undefined {
    const stored = hub.value(key(name));
    if (stored?.kind === "zset") return stored;
    if (stored) throw new Error("WRONGTYPE Operation against a key holding the wrong kind of value");
    if (!create) return undefined;
    const fresh: SortedSet = { kind: "zset", scores: new Map(), expiresAt: undefined };
    hub.setValue(key(name), fresh);
    return fresh;
  }
  function prune(set: SortedSet, now: number): void {
    for (const [member, score] of set.scores) if (score <= now) set.scores.delete(member);
  }
  function join(entry: PresenceEntry, ttlMs: number): boolean {
    const now = Date.now();
    const users = zset(keys.sessionUsers(entry.sessionId), true) as SortedSet;
    const connections = zset(keys.connections(entry.userId), true) as SortedSet;
    const score = users.scores.get(entry.userId);
    const present = score !== undefined && score > now;
    prune(connections, now);
    connections.scores.set(memberOf(entry), now + ttlMs);
    connections.expiresAt = Math.max(connections.expiresAt ?? 0, now + ttlMs);
    users.scores.set(entry.userId, Math.max(score ?? 0, now + ttlMs));
    users.expiresAt = Math.max(users.expiresAt ?? 0, now + ttlMs);
    return !present;
  }

  return {
    async join(entry, ttlSeconds) {
      life.assertOpen();
      return join(entry, ttlToMs(ttlSeconds));
    },
    async refresh(entries, ttlSeconds) {
      life.assertOpen();
      const ttlMs = ttlToMs(ttlSeconds);
      return entries.filter((entry) => join(entry, ttlMs));
    },
    async leave(entry) {
      life.assertOpen();
      const now = Date.now();
      const connections = zset(keys.connections(entry.userId), false);
      connections?.scores.delete(memberOf(entry));
      const prefix = `${entry.sessionId}\n`;
      for (const [member, score] of connections?.scores ?? []) {
        if (score > now && member.startsWith(prefix)) return false;
      }
      return zset(keys.sessionUsers(entry.sessionId), false)?.scores.delete(entry.userId) ?? false;
    },
    async sweep(sessionId) {
      life.assertOpen();
      const users = zset(keys.sessionUsers(sessionId), false);
      if (!users) return [];
      const now = Date.now();
      const gone = [...users.scores].filter(([, score]) => score <= now).map(([user]) => user);
      for (const user of gone) users.scores.delete(user);
      return gone;
    },
    async users(sessionId) {
      life.assertOpen();
      const now = Date.now();
      return [...(zset(keys.sessionUsers(sessionId), false)?.scores ?? [])]
        .filter(([, score]) => score > now)
        .map(([user]) => user);
    },
  };
}
