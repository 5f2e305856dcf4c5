import { randomBytes } from "node:crypto";
import postgres from "postgres";

/** A throwaway database on a PostgreSQL server: created on open, dropped on `drop()`. */
export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
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
      dropped ??= (async () => {
        const sql = admin();
        try {
          await sql.unsafe(`drop database if exists ${name} with (force)`);
        } finally {
          await sql.end({ timeout: 5 });
        }
      })();
      return dropped;
    },
  };
}
