import { EnvError } from "@chat/core";
import { describe, expect, it } from "vitest";
import { loadStandaloneEnv } from "../src";

describe("environment", () => {
  it("uses the spec's defaults", () => {
    const env = loadStandaloneEnv({});
    expect(env).toMatchObject({
      SERVICE_PORT: 8003,
      JWT_ALGORITHM: "HS256",
      WS_MAX_CONNECTIONS: 1_000,
      WS_HEARTBEAT_INTERVAL: 30,
      WS_CONNECTION_TIMEOUT: 300,
      WS_MESSAGE_SIZE_LIMIT: 65_536,
      STREAM_CHUNK_SIZE: 10,
      STREAM_DELAY_MS: 50,
      RATE_LIMIT_ENABLED: false,
      RATE_LIMIT_MESSAGES_PER_MINUTE: 60,
      CORS_ORIGINS: ["http://localhost:9060", "http://localhost:9050"],
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it("reads the spec's formats: JSON arrays, booleans, upper-case levels", () => {
    const env = loadStandaloneEnv({
      CORS_ORIGINS: '["http://localhost:9060", "ws://localhost:9060"]',
      RATE_LIMIT_ENABLED: "true",
      LOG_LEVEL: "DEBUG",
      DATABASE_URL: "postgresql://dev_user:dev_password@localhost:5432/chat_service_db",
    });
    expect(env.CORS_ORIGINS).toEqual(["http://localhost:9060", "ws://localhost:9060"]);
    expect(env.RATE_LIMIT_ENABLED).toBe(true);
    expect(env.LOG_LEVEL).toBe("debug");
    expect(env.DATABASE_URL).toMatch(/^postgresql:/);
  });

  it.each([
    ["SERVICE_PORT", "eighty"],
    ["SERVICE_PORT", "70000"],
    ["WS_MAX_CONNECTIONS", "0"],
    ["RATE_LIMIT_ENABLED", "maybe"],
    ["CORS_ORIGINS", "[not json"],
    ["JWT_ALGORITHM", "none"],
    ["REDIS_URL", "not a url"],
  ])("stops with a message naming %s=%s", (name, value) => {
    expect(() => loadStandaloneEnv({ [name]: value })).toThrow(EnvError);
    expect(() => loadStandaloneEnv({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});
