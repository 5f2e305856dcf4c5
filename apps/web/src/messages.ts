import type { AgentReply, FileUploadResponse, MessageFrame } from "@chat/client";
import type { MessageResource } from "@chat/protocol";
import { formatTime, h } from "./dom";
import { renderMarkdown } from "./markdown";

/** What a message row shows: a stored message (REST or WS) or an assembled reply. */
export interface ShownMessage {
  message_id: string;
  seq: number;
  sender_type: string;
  sender_id: string;
  message_type: string;
  content: string | null;
  status: string;
  metadata?: Record<string, unknown> | null;
  time: string | null | undefined;
}

export const fromResource = (m: MessageResource): ShownMessage => ({ ...m, time: m.created_at });
export const fromFrame = (m: MessageFrame): ShownMessage => ({
  ...m,
  status: m.status ?? "complete",
  time: m.timestamp,
});
export const fromReply = (r: AgentReply, time?: string): ShownMessage => ({
  message_id: r.message_id,
  seq: r.seq,
  sender_type: "agent",
  sender_id: r.sender_id,
  message_type: "stream",
  content: r.text,
  status: r.status,
  time,
});

/** A file message's thumbnail: from our own upload's answer, else from what the server stored. */
function thumbnailOf(message: ShownMessage, upload: FileUploadResponse | undefined): string | undefined {
  if (upload?.thumbnail_url) return upload.thumbnail_url;
  const meta = message.metadata ?? {};
  const file = (meta.file ?? meta.file_info ?? {}) as Record<string, unknown>;
  const candidates = [meta.thumbnail_url, file.thumbnail_url, meta.file_url, file.file_url];
  return candidates.find((value): value is string => typeof value === "string" && value.startsWith("/"));
}

export interface RowOptions {
  self: string;
  upload?: FileUploadResponse;
  resolveUrl: (path: string) => string;
  /** Loads a file path that needs the token (`<img src>` cannot send one) as a blob URL. */
  loadImage: (path: string) => Promise<string>;
  onStop: (messageId: string) => void;
}

/** One message row. Content is rendered as safe markdown (no HTML from the message is parsed). */
export function messageRow(message: ShownMessage, options: RowOptions): HTMLLIElement {
  const mine = message.sender_type === "user" && message.sender_id === options.self;
  const who = message.sender_type === "agent" ? `Agent ${message.sender_id}` : message.sender_id;
  const body = h("div", { class: "body" });
  body.append(renderMarkdown(message.content ?? ""));
  const thumb = message.message_type === "file" ? thumbnailOf(message, options.upload) : undefined;
  const streaming = message.status === "streaming";
  return h(
    "li",
    {
      class: `message ${message.sender_type}${mine ? " mine" : ""}`,
      "data-message-id": message.message_id,
      "data-seq": message.seq,
      "data-status": message.status,
    },
    h("div", { class: "meta" }, h("span", { class: "sender" }, who), " ", h("time", {}, formatTime(message.time))),
    thumb ? thumbnail(thumb, options) : null,
    body,
    streaming
      ? h("button", { class: "stop", type: "button", onclick: () => options.onStop(message.message_id) }, "Stop")
      : null,
    message.status === "cancelled" ? h("span", { class: "note" }, "stopped") : null,
    message.status === "error" ? h("span", { class: "note" }, "failed") : null,
  );
}

/** Insert or replace a row, keeping rows in seq order. */
export function upsertRow(list: HTMLElement, row: HTMLLIElement): void {
  const id = row.dataset.messageId;
  const existing = list.querySelector<HTMLLIElement>(`li[data-message-id="${CSS.escape(id ?? "")}"]`);
  if (existing) {
    existing.replaceWith(row);
    return;
  }
  const seq = Number(row.dataset.seq);
  const rows = list.querySelectorAll<HTMLLIElement>("li.message[data-seq]");
  for (let i = rows.length - 1; i >= 0; i--) {
    const other = rows[i];
    if (other && Number(other.dataset.seq) <= seq) {
      other.after(row);
      return;
    }
  }
  list.prepend(row);
}

/** Signed URLs (with a query) load directly; plain paths are fetched with the token first. */
function thumbnail(path: string, options: RowOptions): HTMLImageElement {
  if (path.includes("?")) return h("img", { class: "thumbnail", src: options.resolveUrl(path), alt: "uploaded image" });
  const img = h("img", { class: "thumbnail", alt: "uploaded image" });
  options.loadImage(path).then(
    (url) => {
      img.src = url;
    },
    () => img.remove(),
  );
  return img;
}
