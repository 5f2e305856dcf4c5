/**
 * @chat/client: the typed client SDK of the chat service, for browsers and Node.
 *
 * - `ChatSession`: one session over WebSocket (reconnect, recovery, dedupe, replies, sends).
 * - `ChatApi`: the REST calls, uploads with progress, and the SSE reply stream.
 */

export type {
  ErrorFrame,
  MessageFrame,
  ReadyFrame,
  ServerFrame,
  StreamChunkFrame,
  StreamEndFrame,
  StreamStartFrame,
  SystemFrame,
  TypingFrame,
} from "@chat/protocol";
export { ChatApi } from "./api";
export { type BackoffOptions, backoffDelay } from "./backoff";
export { Emitter, type EventMap } from "./emitter";
export { checkServerFrame } from "./frames";
export { ApiError, type HttpOptions } from "./http";
export { newClientMsgId } from "./ids";
export { SendError } from "./outbox";
export { type AgentReply, ReplyAssembler } from "./replies";
export {
  ChatSession,
  type ConnectionState,
  type SessionEvents,
  type SessionOptions,
  type StateChange,
  type TokenSource,
} from "./session";
export { parseEventStream, type RawSseEvent, type StreamReplyOptions, streamReply } from "./sse";
export type { FileUploadResponse, SearchHit, UpdateSessionRequest, UploadProgress } from "./types";
export { TypingNotifier, type TypingOptions } from "./typing";
export type { UploadOptions } from "./upload";
export type { WebSocketConstructor, WebSocketLike } from "./websocket";
