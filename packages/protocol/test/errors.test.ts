import { describe, expect, it } from "vitest";
import { ChatError, CloseCode, errorCatalog, isErrorCode, toChatError } from "../src";

describe("error catalog", () => {
  it("maps every code to an HTTP status and a close code that mirrors it", () => {
    for (const [code, spec] of Object.entries(errorCatalog)) {
      expect(spec.http, code).toBeGreaterThanOrEqual(400);
      if (spec.close >= 4000)
        expect(spec.close - 4000, code).toBe(
          spec.http === 416 || spec.http === 415 || spec.http === 409 || spec.http === 405 ? 400 : spec.http,
        );
    }
    expect(errorCatalog.UNAUTHORIZED.close).toBe(CloseCode.Unauthorized);
    expect(errorCatalog.RATE_LIMIT).toMatchObject({ http: 429, close: 4429, retryable: true });
  });

  it("ChatError exposes status, close code and retryability from the catalog", () => {
    const error = new ChatError("NOT_FOUND", "Session not found");
    expect([error.httpStatus, error.closeCode, error.retryable]).toEqual([404, 4404, false]);
  });

  it("toChatError hides unknown errors behind INTERNAL and keeps the cause", () => {
    const cause = new Error("password=hunter2");
    const error = toChatError(cause);
    expect(error.code).toBe("INTERNAL");
    expect(error.message).not.toContain("hunter2");
    expect(error.cause).toBe(cause);
    expect(toChatError(error)).toBe(error);
  });

  it("isErrorCode recognises catalog codes only", () => {
    expect(isErrorCode("RATE_LIMIT")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
  });
});
