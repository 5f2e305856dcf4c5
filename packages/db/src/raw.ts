import type { SQL } from "drizzle-orm";
import type { Db } from "./client.js";

/**
 * Runs a raw statement and returns its rows. `db.execute()` resolves to an array of rows on
 * postgres.js and to `{ rows }` on PGlite; this hides the difference. Values come back as the
 * driver decodes them (int8 and numeric as strings on postgres.js), so cast in SQL (`::int`)
 * what must be a number.
 */
export async function queryRows<Row extends Record<string, unknown>>(db: Db, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as Row[];
  return (result as { rows: Row[] }).rows;
}

/** The one row an `insert ... returning` or a lookup by a unique key must produce. */
export function single<T>(rows: T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`expected a row from ${what}`);
  return row;
}
