export * from "./files";
export * from "./stack";
export * from "./ws-client";
