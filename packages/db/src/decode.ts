/**
 * Values of rows read by raw statements, converted as drizzle's column mappers would:
 * postgres.js (as drizzle sets it up) hands timestamps over as strings and int8 as strings,
 * PGlite as Dates and numbers.
 */
export const toDate = (value: unknown): Date | null =>
  value == null ? null : value instanceof Date ? value : new Date(value as string);

export function toJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
