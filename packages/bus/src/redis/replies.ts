/** Parsers for the nested-array replies of the stream commands (ioredis returns them raw). */

export interface StreamEntry {
  id: string;
  value: string;
}

/**
 * Reads `[[id, [field, value, ...]], ...]`, taking `field` from each entry. Entries are only
 * written by this package, so a missing field means a foreign writer: it reads as "" rather
 * than being skipped, because a skipped job would sit pending forever.
 */
export function readEntries(raw: unknown, field: string): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const entries: StreamEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || typeof item[0] !== "string") continue;
    const fields: unknown = item[1];
    let value = "";
    if (Array.isArray(fields)) {
      for (let i = 0; i + 1 < fields.length; i += 2) {
        if (fields[i] === field) {
          value = String(fields[i + 1]);
          break;
        }
      }
    }
    entries.push({ id: item[0], value });
  }
  return entries;
}

/** Turns a flat `[name, value, name, value...]` reply (XINFO) into a record. */
export function pairsToRecord(raw: unknown): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  if (!Array.isArray(raw)) return record;
  for (let i = 0; i + 1 < raw.length; i += 2) record[String(raw[i])] = raw[i + 1];
  return record;
}

/** The results of a MULTI or pipeline `exec()`, throwing the first command error. */
export function execResults(results: Array<[Error | null, unknown]> | null): unknown[] {
  // ioredis reports a transaction discarded by WATCH as null; this package never WATCHes.
  if (!results) throw new Error("@chat/bus: Redis transaction was aborted");
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
