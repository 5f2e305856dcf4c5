import type { SseEvent } from "@chat/protocol";

/**
 * An SSE event id of a reply: `{attempt}:{index}` for a chunk, `{attempt}:start`,
 * `{attempt}:error`, `{attempt}:end`. Ids order the reply's events (a later attempt after an
 * earlier one), so a resumer's Last-Event-ID says exactly what it already has.
 */
export interface Position {
  attempt: number;
  rank: number;
}

const START = -1;
const ERROR = 2 ** 31;
const END = 2 ** 31 + 1;

export function positionOf(event: SseEvent): Position | undefined {
  switch (event.type) {
    case "stream_start":
      return { attempt: event.attempt, rank: START };
    case "stream_chunk":
      return { attempt: event.attempt ?? 1, rank: event.index };
    case "stream_end":
      return { attempt: event.attempt ?? 1, rank: END };
    case "error":
      return undefined; // placed by the caller right after the last event
  }
}

export function formatPosition({ attempt, rank }: Position): string {
  const suffix = rank === START ? "start" : rank === ERROR ? "error" : rank === END ? "end" : String(rank);
  return `${attempt}:${suffix}`;
}

/** Parse a Last-Event-ID; undefined for anything that is not one of ours (replay from the start). */
export function parsePosition(value: string | undefined): Position | undefined {
  const match = /^(\d{1,6}):(start|error|end|\d{1,9})$/.exec(value?.trim() ?? "");
  if (!match) return undefined;
  const attempt = Number(match[1]);
  const tail = match[2] as string;
  const rank = tail === "start" ? START : tail === "error" ? ERROR : tail === "end" ? END : Number(tail);
  return { attempt, rank };
}

export function errorPosition(attempt: number): Position {
  return { attempt, rank: ERROR };
}

export function isAfter(a: Position, b: Position | undefined): boolean {
  if (!b) return true;
  return a.attempt > b.attempt || (a.attempt === b.attempt && a.rank > b.rank);
}
