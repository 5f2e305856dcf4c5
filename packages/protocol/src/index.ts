/**
 * @chat/protocol: the wire contract of the chat service. Browser-safe: no Node built-ins.
 */

export * from "./client-frames";
export * from "./close-codes";
export * from "./common";
export * from "./errors";
export * from "./parse";
export * from "./rest";
export * from "./rest-files";
export * from "./rest-manage";
export * from "./server-frames";
export * from "./storable";
export * from "./ws-auth";
