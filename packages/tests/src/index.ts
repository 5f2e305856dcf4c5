export * from "./peers/openai-server";
export * from "./restartable-edge";
export * from "./seed";
export * from "./sse-client";
export * from "./stack";
export * from "./use-stack";
export * from "./ws-client";
