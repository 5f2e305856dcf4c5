import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { expect, test } from "vitest";
import { type Database, driverOf, openDatabase } from "./client.js";
import { migrateDatabase, migrationsFolder } from "./migrate.js";
import { queryRows } from "./raw.js";
import { createRepository } from "./repository.js";
import { createTestDatabase } from "./testing.js";

async function journalLength(): Promise<number> {
  const journal = JSON.parse(await readFile(join(migrationsFolder, "meta/_journal.json"), "utf8"));
  return (journal as { entries: unknown[] }).entries.length;
}

async function applied(database: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return row?.n ?? -1;
}

test("migrating again is a no-op", async () => {
  await using database = await createTestDatabase();
  const expected = await journalLength();
  expect(expected).toBeGreaterThan(0);
  expect(await applied(database)).toBe(expected);
  await migrateDatabase(database);
  expect(await applied(database)).toBe(expected);
});

test("concurrent migrations of one database apply each migration once", async () => {
  await using first = await createTestDatabase({ migrate: false });
  const handle = driverOf(first);
  // On a server: a second pool, as a second process would have. PGlite: the same instance.
  const second = handle.kind === "postgres" ? await openDatabase({ url: handle.url }) : first;
  try {
    await Promise.all([migrateDatabase(first), migrateDatabase(second), migrateDatabase(first)]);
    expect(await applied(first)).toBe(await journalLength());
    const session = await createRepository(second).createSession({ userId: "u" });
    expect(session.lastSeq).toBe(0);
  } finally {
    if (second !== first) await second.close();
  }
});

test("PGlite in a data directory: creates it, and the data survives a reopen", async () => {
  const parent = await mkdtemp(join(tmpdir(), "chat-db-"));
  const dataDir = join(parent, "nested", "pglite");
  try {
    const first = await openDatabase({ dataDir });
    expect(first.kind).toBe("pglite");
    expect((await stat(dataDir)).isDirectory()).toBe(true);
    await migrateDatabase(first);
    const session = await createRepository(first).createSession({ userId: "u" });
    await first.close();
    await first.close(); // idempotent

    const reopened = await openDatabase({ dataDir });
    try {
      await migrateDatabase(reopened);
      expect(await createRepository(reopened).getSession(session.sessionId)).toEqual(session);
    } finally {
      await reopened.close();
    }
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

test("ping answers while open; close is idempotent", async () => {
  const database = await createTestDatabase();
  await expect(database.ping()).resolves.toBeUndefined();
  await database.close();
  await database.close();
  await database[Symbol.asyncDispose]();
});

test("openDatabase fails fast on an unreachable server", async () => {
  await expect(openDatabase({ url: "postgres://postgres@127.0.0.1:1/none", maxConnections: 1 })).rejects.toThrow();
});
