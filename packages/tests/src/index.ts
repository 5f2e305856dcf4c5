export * from "./peers/openai-server";
export * from "./sse-client";
export * from "./stack";
export * from "./ws-client";
