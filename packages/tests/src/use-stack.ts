import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { type StackOptions, startStack, type TestStack } from "./stack";

/**
 * One stack per test file (starting an embedded database takes a second or two); tests stay
 * independent by using fresh user ids from {@link uniqueUser}.
 */
export function useStack(options: StackOptions = {}): () => TestStack {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  });
  afterAll(() => stack?.close());
  return () => {
    if (!stack) throw new Error("stack not started yet (use inside a test)");
    return stack;
  };
}

/** A user id no other test uses. */
export const uniqueUser = (name: string) => `${name}.${randomBytes(4).toString("hex")}`;
