import type { ClientFileFrame, ClientMessageFrame, ErrorFrame, MessageFrame } from "@chat/protocol";
import { errorCatalog, isErrorCode } from "@chat/protocol";

type Sendable = (ClientMessageFrame | ClientFileFrame) & { client_msg_id: string };

interface Entry {
  frame: Sendable;
  sentAt: number | undefined;
  /** Do not resend before this time (rate limits). */
  notBefore: number;
  resolve(frame: MessageFrame): void;
  reject(error: Error): void;
}

/** Why a send failed for good: the server's error code, or CLOSED when the client was closed. */
export class SendError extends Error {
  override readonly name = "SendError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Messages sent but not yet acknowledged, in send order. The acknowledgement is the stored
 * message coming back with the same client_msg_id; until then the frame is resent after every
 * reconnect and after `ackTimeoutMs`. The server stores a resend once, so resending is safe.
 */
export class Outbox {
  #entries = new Map<string, Entry>();

  constructor(private readonly ackTimeoutMs: number) {}

  get size(): number {
    return this.#entries.size;
  }

  add(frame: Sendable): Promise<MessageFrame> {
    return new Promise((resolve, reject) => {
      this.#entries.set(frame.client_msg_id, { frame, sentAt: undefined, notBefore: 0, resolve, reject });
    });
  }

  /** Frames to (re)send now: never sent on this connection, or unanswered for too long. */
  due(now: number): Sendable[] {
    const due: Sendable[] = [];
    for (const entry of this.#entries.values()) {
      if (now < entry.notBefore) continue;
      if (entry.sentAt === undefined || now - entry.sentAt >= this.ackTimeoutMs) {
        entry.sentAt = now;
        due.push(entry.frame);
      }
    }
    return due;
  }

  /** A new connection: everything unacknowledged goes out again. */
  resetSent(): void {
    for (const entry of this.#entries.values()) entry.sentAt = undefined;
  }

  ack(frame: MessageFrame): void {
    const id = frame.client_msg_id;
    if (!id) return;
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    entry.resolve(frame);
  }

  /** An error frame about one of ours: retry later if the code says a retry can help. */
  fail(frame: ErrorFrame, now: number): void {
    const entry = frame.ref === undefined ? undefined : this.#entries.get(frame.ref);
    if (!entry) return;
    const retryable = isErrorCode(frame.code) && errorCatalog[frame.code].retryable;
    if (retryable) {
      entry.sentAt = undefined;
      entry.notBefore = now + (frame.retry_after ?? this.ackTimeoutMs);
      return;
    }
    this.#entries.delete(entry.frame.client_msg_id);
    entry.reject(new SendError(frame.code, frame.message));
  }

  rejectAll(error: Error): void {
    for (const entry of this.#entries.values()) entry.reject(error);
    this.#entries.clear();
  }
}
