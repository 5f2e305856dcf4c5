export * from "./files";
export * from "./s3-server";
export * from "./stack";
export * from "./ws-client";
