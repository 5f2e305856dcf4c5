export * from "./stack";
export * from "./ws-client";
