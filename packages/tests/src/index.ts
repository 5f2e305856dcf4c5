export * from "./restartable-edge";
export * from "./seed";
export * from "./stack";
export * from "./use-stack";
export * from "./ws-client";
