import { randomBytes } from "node:crypto";
import { silentLogger } from "@chat/core";
import { createBackends, createStreamWorker } from "@chat/stream-worker";
import { eventually, makePng, uploadFile } from "./files";
import type { TestStack } from "./stack";

/** One user's things, as the other user must never see them. */
export interface Owned {
  userId: string;
  /** A session with the demo agent (agent_id 1). */
  sessionId: string;
  /** A user message whose agent reply is complete, and that reply. */
  messageId: string;
  replyId: string;
  /** A user message whose reply is still queued (no row yet, only the pending marker), and that reply. */
  queuedMessageId: string;
  queuedReplyId: string;
  /** An uploaded PNG attached to a message, with its signed URLs (`/files/{id}?exp=&sig=`). */
  fileId: string;
  fileUrl: string;
  thumbUrl: string;
  /** An upload made with `?attach=false`, waiting for a WS `file` frame. */
  looseFileId: string;
  /** Strings only this user's data contains: title, message text, file name. */
  marks: string[];
}

async function ok<T extends { status: number; body: any }>(call: Promise<T>, what: string): Promise<T["body"]> {
  const { status, body } = await call;
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Seeds each user's data in a stack started with `worker: false`. The first replies are run to
 * the end by a short-lived worker; the second ones stay queued: the two reply states that have
 * no live stream (a stored row, and only a pending marker).
 */
export async function seedOwners(stack: TestStack, names: string[]): Promise<Owned[]> {
  const worker = createStreamWorker({
    repo: stack.repo,
    bus: stack.bus,
    agents: stack.services.agents,
    logger: silentLogger(),
    consumer: `authz-seed-${randomBytes(3).toString("hex")}`,
    blockMs: 50,
    drainTimeoutMs: 1_000,
    backends: createBackends({ chunkSize: 50, delayMs: 0 }),
  });
  worker.start();
  const first = await Promise.all(names.map((name) => startOwner(stack, name)));
  await worker.close();
  return Promise.all(first.map((owner) => finishOwner(stack, owner)));
}

type Started = Pick<Owned, "userId" | "sessionId" | "messageId" | "replyId" | "marks">;

const call = (stack: TestStack, userId: string) => (method: string, path: string, body?: unknown) =>
  ok(stack.request(userId, method, path, body), `${method} ${path}`);

async function startOwner(stack: TestStack, name: string): Promise<Started> {
  const mark = `${name}-secret-${randomBytes(6).toString("hex")}`;
  const userId = `${name}.${randomBytes(4).toString("hex")}`;
  const as = call(stack, userId);
  const session = await as("POST", "/api/chat/sessions", { agent_id: 1, title: `${mark}-title` });
  const base = `/api/chat/sessions/${session.session_id}`;
  const first = await as("POST", `${base}/messages`, { content: `${mark}-first` });
  let replyId = "";
  await eventually(async () => {
    const page = await as("GET", `${base}/messages`);
    replyId = page.messages.find((m: any) => m.sender_type === "agent" && m.status === "complete")?.message_id ?? "";
    return replyId !== "";
  }, 10_000);
  return { userId, sessionId: session.session_id, messageId: first.message_id, replyId, marks: [mark] };
}

async function finishOwner(stack: TestStack, owner: Started): Promise<Owned> {
  const { userId, sessionId } = owner;
  const mark = owner.marks[0];
  const as = call(stack, userId);
  const base = `/api/chat/sessions/${sessionId}`;
  const queued = await as("POST", `${base}/messages`, { content: `${mark}-queued` });
  const regenerated = await as("POST", `${base}/messages/${queued.message_id}/regenerate`);
  const upload = await uploadFile(stack, userId, sessionId, {
    data: makePng(16, 16),
    name: `${mark}.png`,
    message: `${mark}-caption`,
  });
  const loose = await uploadFile(stack, userId, sessionId, {
    data: makePng(8, 8),
    name: `${mark}-loose.png`,
    query: "?attach=false",
  });
  if (upload.status !== 201 || loose.status !== 201) throw new Error(`upload: ${upload.status} ${loose.status}`);
  return {
    ...owner,
    queuedMessageId: queued.message_id,
    queuedReplyId: regenerated.message_id,
    fileId: upload.body.file_id,
    fileUrl: upload.body.file_url,
    thumbUrl: upload.body.thumbnail_url,
    looseFileId: loose.body.file_id,
  };
}

/** Every string of `owned` that must not appear in what another user gets back. */
export function secretsOf(owned: Owned): string[] {
  const signatures = [owned.fileUrl, owned.thumbUrl].map((url) => new URL(url, "http://x").searchParams.get("sig"));
  return [
    owned.userId,
    owned.sessionId,
    owned.messageId,
    owned.replyId,
    owned.queuedMessageId,
    owned.queuedReplyId,
    owned.fileId,
    owned.looseFileId,
    ...owned.marks,
    ...signatures.filter((s): s is string => !!s),
  ];
}

/** The secrets found in `text` (empty when none leaked). */
export const leaksIn = (text: string, secrets: readonly string[]) => secrets.filter((s) => text.includes(s));
