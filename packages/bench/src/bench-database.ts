import { randomBytes } from "node:crypto";
import postgres from "postgres";

/** A throwaway database on a PostgreSQL server: created on open, dropped on `drop()`. */
export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A database made earlier by {@link createBenchDatabase} (and kept); `drop()` still drops it. */
export function existingBenchDatabase(serverUrl: string, name: string): BenchDatabase {
  if (!/^chat_bench_[0-9a-f]+$/.test(name)) throw new Error(`not a bench database name: ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => dropDatabase(serverUrl, name) };
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Creates `chat_bench_<random>` on the server of `serverUrl`. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  // Hex digits only: safe to splice into DDL.
  const name = `chat_bench_${randomBytes(6).toString("hex")}`;
  const admin = () => postgres(serverUrl, { max: 1, onnotice: () => {} });
  const sql = admin();
  try {
    await sql.unsafe(`create database ${name}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop() {
      dropped ??= dropDatabase(serverUrl, name);
      return dropped;
    },
  };
}
