import { ChatError } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { isDependencyDown, toServiceError } from "./service-errors";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("toServiceError", () => {
  it("makes PostgreSQL and Redis outages UNAVAILABLE (503, retryable)", () => {
    const outages = [
      withCode("write CONNECTION_CLOSED 127.0.0.1:5432", "CONNECTION_CLOSED"),
      withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"),
      withCode("terminating connection due to administrator command", "57P01"),
      withCode("the database system is starting up", "57P03"),
      new Error("Command timed out"),
      new Error("Connection is closed."),
      // Drizzle wraps the driver's error: the cause says what failed.
      new Error("Failed query: select 1", { cause: withCode("write CONNECTION_CLOSED", "CONNECTION_CLOSED") }),
    ];
    for (const error of outages) {
      expect(isDependencyDown(error), error.message).toBe(true);
      const chatError = toServiceError(error);
      expect(chatError.code).toBe("UNAVAILABLE");
      expect(chatError.httpStatus).toBe(503);
      expect(chatError.retryable).toBe(true);
      expect(chatError.cause).toBe(error);
    }
  });

  it("leaves ChatErrors and other failures as they were", () => {
    const notFound = new ChatError("NOT_FOUND", "Message not found");
    expect(toServiceError(notFound)).toBe(notFound);
    expect(toServiceError(new TypeError("x is undefined")).code).toBe("INTERNAL");
    expect(toServiceError(withCode("duplicate key value", "23505")).code).toBe("INTERNAL");
  });
});
