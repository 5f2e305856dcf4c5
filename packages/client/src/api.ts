import type {
  CreateSessionRequest,
  ListMessagesResponse,
  ListSessionsResponse,
  MessageResource,
  PostMessageRequest,
  PostMessageResponse,
  SessionCreatedResponse,
  SessionDetailResponse,
  SseEvent,
} from "@chat/protocol";
import { errorOf, type HttpOptions, query, resolveToken } from "./http";
import { newClientMsgId } from "./ids";
import { type StreamReplyOptions, streamReply } from "./sse";
import type { SearchHit, UpdateSessionRequest } from "./types";
import { type UploadOptions, uploadMultipart } from "./upload";

type Json = Record<string, unknown>;

/** The REST API of `/api/chat/*` (and uploads, and the SSE reply stream), typed. */
export class ChatApi {
  readonly #options: HttpOptions;
  readonly #fetch: typeof fetch;

  constructor(options: HttpOptions) {
    this.#options = { ...options, url: options.url.replace(/\/$/, "") };
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Absolute URL of a path the server returned (e.g. a `file_url`). */
  resolveUrl(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.#options.url}${path}`;
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const token = await resolveToken(this.#options.token);
    const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    const res = await this.#fetch(`${this.#options.url}/api/chat${path}`, init);
    if (!res.ok) throw await errorOf(res);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  /** Download a file the server returned a path for (e.g. an unsigned `/files/{id}/thumb`) with the token. */
  async fetchFile(path: string): Promise<Blob> {
    const token = await resolveToken(this.#options.token);
    const res = await this.#fetch(this.resolveUrl(path), { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw await errorOf(res);
    return res.blob();
  }

  createSession(body: CreateSessionRequest = {}) {
    return this.request<SessionCreatedResponse>("POST", "/sessions", body);
  }

  listSessions(params: { status?: "active" | "archived"; agent_id?: number; limit?: number; offset?: number } = {}) {
    return this.request<ListSessionsResponse>("GET", `/sessions${query(params)}`);
  }

  getSession(sessionId: string) {
    return this.request<SessionDetailResponse>("GET", `/sessions/${enc(sessionId)}`);
  }

  updateSession(sessionId: string, body: UpdateSessionRequest) {
    return this.request<Json>("PATCH", `/sessions/${enc(sessionId)}`, body);
  }

  /** Soft delete (restorable). */
  deleteSession(sessionId: string) {
    return this.request<Json>("DELETE", `/sessions/${enc(sessionId)}`);
  }

  restoreSession(sessionId: string) {
    return this.request<Json>("POST", `/sessions/${enc(sessionId)}/restore`);
  }

  addParticipant(sessionId: string, userId: string) {
    return this.request<Json>("POST", `/sessions/${enc(sessionId)}/participants`, { user_id: userId });
  }

  removeParticipant(sessionId: string, userId: string) {
    return this.request<Json>("DELETE", `/sessions/${enc(sessionId)}/participants/${enc(userId)}`);
  }

  /** A page of history; `before`/`after` take a seq (or an ISO time). */
  listMessages(sessionId: string, params: { limit?: number; before?: number | string; after?: number | string } = {}) {
    return this.request<ListMessagesResponse>("GET", `/sessions/${enc(sessionId)}/messages${query(params)}`);
  }

  /** Post over REST; a client_msg_id is generated so a retry of this call is stored once. */
  postMessage(sessionId: string, body: Omit<PostMessageRequest, "message_type"> & { message_type?: "text" }) {
    const withId = { ...body, client_msg_id: body.client_msg_id ?? newClientMsgId() };
    return this.request<PostMessageResponse>("POST", `/sessions/${enc(sessionId)}/messages`, withId);
  }

  editMessage(sessionId: string, messageId: string, content: string) {
    return this.request<MessageResource>("PATCH", `/sessions/${enc(sessionId)}/messages/${enc(messageId)}`, {
      content,
    });
  }

  markRead(sessionId: string, seq: number) {
    return this.request<Json>("POST", `/sessions/${enc(sessionId)}/read`, { seq });
  }

  search(params: { q: string; session_id?: string; limit?: number }) {
    return this.request<{ results: SearchHit[]; [key: string]: unknown }>("GET", `/search${query(params)}`);
  }

  cancelReply(sessionId: string, messageId: string) {
    return this.request<Json>("POST", `/sessions/${enc(sessionId)}/messages/${enc(messageId)}/cancel`);
  }

  regenerate(sessionId: string, messageId: string) {
    return this.request<Json>("POST", `/sessions/${enc(sessionId)}/messages/${enc(messageId)}/regenerate`);
  }

  /** Upload a file (with progress in browsers); the server stores it and posts a file message. */
  async uploadFile(sessionId: string, file: Blob, options: UploadOptions & { fileName?: string } = {}) {
    const token = await resolveToken(this.#options.token);
    const name = options.fileName ?? (file as { name?: string }).name ?? "file";
    const url = `${this.#options.url}/api/chat/sessions/${enc(sessionId)}/files`;
    return uploadMultipart(url, token, file, name, options, this.#fetch);
  }

  /**
   * Post a message and read the agent's reply as SSE (for environments without WebSocket).
   * Resumes with `Last-Event-ID` when the connection drops mid-reply.
   */
  streamMessage(sessionId: string, content: string, options: StreamReplyOptions = {}): AsyncGenerator<SseEvent> {
    const base = `${this.#options.url}/api/chat/sessions/${enc(sessionId)}/messages`;
    const body = JSON.stringify({ content, stream: true, client_msg_id: newClientMsgId() });
    return streamReply(async (lastEventId, messageId) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${await resolveToken(this.#options.token)}`,
        accept: "text/event-stream",
      };
      const signal = options.signal ? { signal: options.signal } : {};
      if (messageId === undefined) {
        headers["content-type"] = "application/json";
        return this.#fetch(`${base}/stream`, { method: "POST", headers, body, ...signal });
      }
      if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
      return this.#fetch(`${base}/${enc(messageId)}/stream`, { headers, ...signal });
    }, options);
  }
}

const enc = encodeURIComponent;
