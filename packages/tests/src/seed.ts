/**
 * Bulk test data for query plans and benchmarks: sessions, owners, and messages with varied
 * Korean content, generated inside PostgreSQL (`generate_series`), in batches so a caller can
 * report progress. Only for empty, throwaway databases (ids are predictable).
 */

/** Options of {@link seedChatData}. */
export interface SeedOptions {
  /** How many sessions in all. */
  sessions: number;
  /** Messages per session (alternating user and agent). */
  messagesPerSession: number;
  /** This user owns the first `heavySessions` sessions (the "user with many sessions"). */
  heavyUser: string;
  heavySessions: number;
  /**
   * The other sessions belong to `user_0` … `user_{otherUsers-1}`.
   * @default 1000
   */
  otherUsers?: number;
  /**
   * Sessions per INSERT statement.
   * @default 1000
   */
  batchSessions?: number;
  /** Called after each batch with the number of messages stored so far. */
  onProgress?: (messages: number, total: number) => void;
}

const words = {
  topic: [
    "제품",
    "배송",
    "결제",
    "환불",
    "교환",
    "주문",
    "회원",
    "쿠폰",
    "포인트",
    "리뷰",
    "상담",
    "재고",
    "할인",
    "영수증",
    "계정",
    "비밀번호",
    "알림",
    "예약",
    "문의",
    "설정",
  ],
  link: ["관련해서", "때문에", "문제로", "건으로", "상태가", "일정이", "방법을", "내역을", "정책이", "요청을"],
  end: [
    "문의드립니다",
    "확인 부탁드립니다",
    "알려주세요",
    "궁금합니다",
    "처리해 주세요",
    "안내해 드리겠습니다",
    "도와드릴까요",
    "변경되었습니다",
    "완료되었습니다",
    "지연되고 있습니다",
  ],
};
const sqlArray = (list: string[]) => `array[${list.map((w) => `'${w}'`).join(",")}]`;

/** The content of message `q` of session `s`, as SQL over columns `s.id` and `q`. */
const contentSql = `(${sqlArray(words.topic)})[1 + (s.id * 7 + q) % ${words.topic.length}] || ' ' ||
  (${sqlArray(words.link)})[1 + (s.id + q * 3) % ${words.link.length}] || ' ' ||
  (${sqlArray(words.end)})[1 + (s.id * 3 + q * 11) % ${words.end.length}] ||
  ' (주문번호 ' || (s.id * 1000 + q) || ')'`;

/** Seeds an empty, migrated database; `exec` runs one SQL statement. Ends with ANALYZE. */
export async function seedChatData(exec: (statement: string) => Promise<unknown>, options: SeedOptions): Promise<void> {
  const { sessions, messagesPerSession: perSession, heavySessions } = options;
  const otherUsers = options.otherUsers ?? 1000;
  const batch = options.batchSessions ?? 1000;
  if (!/^[\w.-]+$/.test(options.heavyUser)) throw new Error("heavyUser: letters, digits, _ . - only");
  const heavy = `'${options.heavyUser}'`;
  // Older sessions first, so the newest activity belongs to the highest ids.
  await exec(`insert into chat_sessions (session_id, trace_id, user_id, agent_id, title, last_seq, created_at, updated_at)
    select 'sess_seed_' || i, 'trace_seed_' || i,
      case when i <= ${heavySessions} then ${heavy} else 'user_' || (i % ${otherUsers}) end,
      1, '세션 ' || i, ${perSession},
      now() - interval '1 second' * (${sessions} - i) * 10 - interval '1 day',
      now() - interval '1 second' * (${sessions} - i)
    from generate_series(1, ${sessions}) i`);
  await exec(`insert into chat_session_participants (session_id, user_id, role, last_read_seq)
    select session_id, user_id, 'owner', (id % 3) * ${Math.floor(perSession / 3)} from chat_sessions`);
  for (let from = 1; from <= sessions; from += batch) {
    const to = Math.min(sessions, from + batch - 1);
    await exec(`insert into chat_messages
        (session_id, message_id, sender_type, sender_id, message_type, content, seq, event_seq, created_at)
      select s.session_id, 'msg_seed_' || s.id || '_' || q,
        case when q % 2 = 0 then 'agent' else 'user' end,
        case when q % 2 = 0 then '1' else s.user_id end,
        'text', ${contentSql}, q, q, s.created_at + interval '1 second' * q
      from chat_sessions s cross join generate_series(1, ${perSession}) q
      where s.id between ${from} and ${to}
      order by s.id, q`);
    options.onProgress?.(to * perSession, sessions * perSession);
  }
  await exec("analyze");
}
