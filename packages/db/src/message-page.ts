import type { RunStatement, Statement } from "./client.js";
import { messageColumns } from "./message-statements.js";
import { toMessageRow } from "./raw.js";
import type { MessageRow, PageMessagesOptions } from "./types.js";

/** What `pageMessagesForMember` answers: a page (oldest first), whether more exist, and the total. */
export interface MemberPage {
  messages: MessageRow[];
  hasMore: boolean;
  /** All messages of the session. */
  total: number;
}

type Bound = "afterSeq" | "beforeSeq" | "afterTime" | "beforeTime";
const boundOrder: Bound[] = ["afterSeq", "beforeSeq", "afterTime", "beforeTime"];
// Times compare at millisecond precision: the API's timestamps (JS ISO strings) carry
// milliseconds, and a client using a message's own created_at as the cursor must not get that
// message back because the stored value has microseconds.
const boundSql: Record<Bound, (n: number) => string> = {
  afterSeq: (n) => `seq > $${n}`,
  beforeSeq: (n) => `seq < $${n}`,
  afterTime: (n) => `date_trunc('milliseconds', created_at) > $${n}::timestamptz`,
  beforeTime: (n) => `date_trunc('milliseconds', created_at) < $${n}::timestamptz`,
};

const texts = new Map<string, string>();

/**
 * One statement for a history page: the caller's membership (no row at all when the session is
 * unknown, soft-deleted or the caller is not a participant), one range of the (session_id, seq)
 * unique index plus one row that tells whether another page exists, and the session's message
 * count (an InitPlan, run once). With an empty page the one row has only nulls from `m`.
 * There are at most 16 texts (which cursors are present); each is built once.
 */
export function memberPageStatement(sessionId: string, userId: string, options: PageMessagesOptions): Statement {
  const bounds = boundOrder.filter((bound) => options[bound] !== undefined);
  const key = bounds.join(",");
  let text = texts.get(key);
  if (text === undefined) {
    const forward = bounds.includes("afterSeq") || bounds.includes("afterTime");
    const where = bounds.map((bound, i) => ` and ${boundSql[bound](i + 4)}`).join("");
    text = `select ${messageColumns},
  (select count(*) from chat_messages where session_id = $1) as total
from chat_sessions s
join chat_session_participants p on p.session_id = s.session_id and p.user_id = $2
left join lateral (
  select * from chat_messages where session_id = s.session_id${where}
  order by seq ${forward ? "asc" : "desc"} limit $3
) m on true
where s.session_id = $1 and s.status is distinct from 'deleted'
order by m.seq ${forward ? "asc" : "desc"}`;
    texts.set(key, text);
  }
  const params: unknown[] = [sessionId, userId, options.limit + 1];
  for (const bound of bounds) {
    const value = options[bound];
    params.push(value instanceof Date ? value.toISOString() : value);
  }
  return { text, params };
}

/** Runs {@link memberPageStatement}; undefined when the caller may not read the session. */
export async function pageMessagesForMember(
  run: RunStatement,
  sessionId: string,
  userId: string,
  options: PageMessagesOptions,
): Promise<MemberPage | undefined> {
  const rows = await run(memberPageStatement(sessionId, userId, options));
  const first = rows[0];
  if (!first) return undefined;
  const total = Number(first.total);
  if (first.id == null) return { messages: [], hasMore: false, total };
  const forward = options.afterSeq !== undefined || options.afterTime !== undefined;
  const hasMore = rows.length > options.limit;
  const page = rows.slice(0, options.limit).map(toMessageRow);
  return { messages: forward ? page : page.reverse(), hasMore, total };
}
