export * from "./restartable-edge";
export * from "./stack";
export * from "./ws-client";
