import type { MessageFrame } from "@chat/client";
import type { ChaosCluster } from "./cluster";
import { APP_DATABASE } from "./cluster";
import type { Conversation } from "./conversation";

/** What the oracle found over a set of conversations once the service settled. */
/** The counts of a fault that lost, duplicated, reordered or left unanswered nothing. */
export const NOTHING_WRONG = {
  messages: 0,
  lost: 0,
  duplicated: 0,
  out_of_order: 0,
  unacked: 0,
  reply_faults: 0,
} as const;

export interface Verdict {
  /** Messages acknowledged to their writer. */
  messages: number;
  /** Acknowledged but never delivered to the reader. */
  lost: number;
  /** Delivered to the reader more than once after the SDK's dedupe (events, user messages, final replies). */
  duplicated: number;
  /** Reader deliveries whose event seq did not increase. */
  out_of_order: number;
  /** Sends never acknowledged (still pending at the deadline, or given up by the SDK). */
  unacked: number;
  /** User messages without exactly one final agent reply (stored and delivered), when agents answer. */
  reply_faults: number;
  /** What the faults were, for the failure message. */
  details: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, deadline: number): Promise<void> {
  while (!(await check()) && Date.now() < deadline) await sleep(100);
}

/**
 * Waits (up to `timeoutMs`) for every send to be acknowledged, every acknowledged message to
 * reach the reader and, with `agent`, every user message to have its final reply; then counts
 * what is still wrong. Assert the counts are zero.
 */
export async function settle(
  cluster: ChaosCluster,
  conversations: Conversation[],
  options: { agent?: boolean; timeoutMs?: number } = {},
): Promise<Verdict> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  await until(() => conversations.every((c) => c.pending === 0), deadline);
  const delivered = (c: Conversation) => {
    const seen = new Set(c.received.map((m) => m.message_id));
    return c.acked.every((m) => seen.has(m.message_id));
  };
  await until(() => conversations.every(delivered), deadline);
  if (options.agent) {
    await until(async () => (await storedReplyFaults(cluster, conversations)) === 0, deadline);
    await until(() => conversations.every((c) => deliveredReplyFaults(c) === 0), deadline);
  }
  const verdict: Verdict = { ...NOTHING_WRONG, messages: 0, details: [] };
  for (const c of conversations) {
    const seen = new Set(c.received.map((m) => m.message_id));
    verdict.messages += c.acked.length;
    verdict.lost += c.acked.filter((m) => !seen.has(m.message_id)).length;
    verdict.duplicated += duplicates(c.received);
    verdict.out_of_order += c.received.filter(
      (m, i) => i > 0 && m.event_seq <= (c.received[i - 1]?.event_seq ?? 0),
    ).length;
    verdict.unacked += c.sent - c.acked.length;
    if (options.agent) verdict.reply_faults += deliveredReplyFaults(c);
    if (duplicates(c.received) > 0 || (options.agent && deliveredReplyFaults(c) > 0)) {
      verdict.details.push(
        `${c.sessionId} received: ${c.received.map((m) => `${m.event_seq}:${m.sender_type[0]}:${m.message_id.slice(-6)}:${m.status}`).join(" ")}`,
      );
    }
  }
  if (options.agent) {
    const stored = await storedReplyFaults(cluster, conversations);
    verdict.reply_faults += stored;
    if (stored > 0) {
      verdict.details.push(`stored reply faults: ${await storedReplyRows(cluster, conversations)}`);
      verdict.details.push(`jobs: ${await cluster.redis.cli("XRANGE", "chat:jobs", "-", "+")}`);
      verdict.details.push(
        `pending: ${await cluster.redis.cli("XPENDING", "chat:jobs", "chat-workers", "-", "+", "100")}`,
      );
      verdict.details.push(`once keys: ${await cluster.redis.cli("KEYS", "chat:reply-job:*")}`);
    }
  }
  return verdict;
}

/** Repeated event seqs, user messages delivered twice, and extra final replies to one message. */
function duplicates(received: MessageFrame[]): number {
  const events = new Set(received.map((m) => m.event_seq));
  const users = received.filter((m) => m.sender_type === "user");
  const finals = received.filter(isFinalReply).map(replyTo);
  return (
    received.length -
    events.size +
    users.length -
    new Set(users.map((m) => m.message_id)).size +
    finals.length -
    new Set(finals).size
  );
}

function isFinalReply(m: MessageFrame): boolean {
  return m.sender_type === "agent" && m.status !== "streaming";
}

function replyTo(m: MessageFrame): unknown {
  return (m.metadata as { reply_to?: unknown } | undefined)?.reply_to;
}

/** Acknowledged user messages the reader did not get exactly one complete final reply to. */
function deliveredReplyFaults(c: Conversation): number {
  const finals = new Map<unknown, MessageFrame[]>();
  for (const m of c.received.filter(isFinalReply)) finals.set(replyTo(m), [...(finals.get(replyTo(m)) ?? []), m]);
  return c.acked.filter((m) => {
    const replies = finals.get(m.message_id) ?? [];
    return replies.length !== 1 || replies[0]?.status !== "complete";
  }).length;
}

/** Stored user messages without exactly one final reply, which is complete. */
async function storedReplyFaults(cluster: ChaosCluster, conversations: Conversation[]): Promise<number> {
  if (conversations.length === 0) return 0;
  return Number(await cluster.pg.query(`select count(*) from (${replyFaultsSql(conversations)}) r`, APP_DATABASE));
}

async function storedReplyRows(cluster: ChaosCluster, conversations: Conversation[]): Promise<string> {
  return cluster.pg.query(`select * from (${replyFaultsSql(conversations)}) r`, APP_DATABASE);
}

function replyFaultsSql(conversations: Conversation[]): string {
  const ids = conversations.map((c) => `'${c.sessionId}'`).join(",");
  return `select u.session_id, u.message_id, finals, complete, replies from (
       select u.session_id, u.message_id,
         count(a.message_id) filter (where a.status <> 'streaming') as finals,
         count(a.message_id) filter (where a.status = 'complete') as complete,
         string_agg(a.status || ':' || a.seq, ',') as replies
       from chat_messages u
       left join chat_messages a on a.session_id = u.session_id and a.sender_type = 'agent'
         and a.metadata->>'reply_to' = u.message_id
       where u.session_id in (${ids}) and u.sender_type = 'user'
       group by u.session_id, u.message_id) u
     where finals <> 1 or complete <> 1`;
}
