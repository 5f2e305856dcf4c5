import type { ErrorDetail } from "./errors";

/**
 * Deepest nesting of objects and arrays a request may carry (only `metadata` nests at all).
 * Deeper values overflow recursive serializers (JSON.stringify, PostgreSQL's jsonb parser).
 */
export const MAX_JSON_DEPTH = 32;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain U+0000 (NUL)";
  if (LONE_SURROGATE.test(text)) return "must be well-formed Unicode (has a lone surrogate)";
  return undefined;
}

/**
 * The first part of a validated request that PostgreSQL cannot store: a NUL character (text
 * and jsonb refuse it), a lone surrogate (jsonb refuses its `\udXXX` escape; text would store
 * U+FFFD instead of what was sent) or nesting past {@link MAX_JSON_DEPTH}. Keys are checked too.
 * Iterative, so a hostile depth cannot overflow the stack here either.
 */
export function findUnstorable(value: unknown): ErrorDetail | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: "", depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const at = item.path || "(root)";
    if (typeof item.value === "string") {
      const problem = stringProblem(item.value);
      if (problem) return { path: at, message: problem };
      continue;
    }
    if (typeof item.value !== "object" || item.value === null) continue;
    if (item.depth >= MAX_JSON_DEPTH)
      return { path: at, message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` };
    for (const [key, child] of Object.entries(item.value)) {
      const path = item.path ? `${item.path}.${key}` : key;
      const problem = stringProblem(key);
      if (problem) return { path, message: `key ${problem}` };
      stack.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return undefined;
}
