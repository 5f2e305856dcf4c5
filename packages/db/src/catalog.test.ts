// What the migrations build, read back from the catalog and compared with the spec's tables
// (columns, checks, uniques, indexes by name) plus the design's additions. Runs on
// PostgreSQL 15 and on PGlite alike, so both engines are known to get the same schema.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { queryRows } from "./raw.js";
import { createTestDatabase } from "./testing.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());
const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) => queryRows<T>(database.db, query);

const ts = "timestamp with time zone"; // the spec's TIMESTAMP, deliberately with a zone
const now = "CURRENT_TIMESTAMP";
const serial = (table: string) => `integer not null default nextval('${table}_id_seq'::regclass)`;

/** Column lists in table order, written like DDL: name, type, nullability, default. */
const expectedColumns: Record<string, string[]> = {
  chat_sessions: [
    `id ${serial("chat_sessions")}`,
    "session_id varchar(100) not null",
    "trace_id varchar(100)",
    "user_id varchar(100) not null",
    "agent_id integer",
    "title varchar(200)",
    "status varchar(20) default 'active'::character varying",
    "metadata jsonb",
    `created_at ${ts} default ${now}`,
    `updated_at ${ts} default ${now}`,
    `ended_at ${ts}`,
    "last_seq bigint not null default 0",
  ],
  chat_messages: [
    `id ${serial("chat_messages")}`,
    "session_id varchar(100)",
    "message_id varchar(100) not null",
    "sender_type varchar(20) not null",
    "sender_id varchar(100) not null",
    "message_type varchar(20) not null",
    "content text",
    "metadata jsonb",
    "tokens_used integer",
    "latency_ms integer",
    "is_edited boolean default false",
    `edited_at ${ts}`,
    `created_at ${ts} default ${now}`,
    "seq bigint not null",
    "event_seq bigint not null",
    "client_msg_id varchar(100)",
    "status varchar(20) not null default 'complete'::character varying",
  ],
  chat_files: [
    `id ${serial("chat_files")}`,
    "message_id varchar(100)",
    "file_id varchar(100) not null",
    "file_name varchar(255) not null",
    "file_type varchar(100)",
    "file_size integer",
    "file_url varchar(500)",
    "thumbnail_url varchar(500)",
    "uploaded_by varchar(100)",
    `uploaded_at ${ts} default ${now}`,
    "session_id varchar(100)",
    "storage_key varchar(500)",
    "sha256 varchar(64)",
  ],
  chat_session_participants: [
    "session_id varchar(100) not null",
    "user_id varchar(100) not null",
    "role varchar(20) not null default 'member'::character varying",
    "last_read_seq bigint not null default 0",
    `joined_at ${ts} default now()`,
  ],
};

/** Check constraints: table.name → the values the column may take. */
const expectedChecks: Record<string, string[]> = {
  "chat_sessions.check_status": ["active", "archived", "deleted"],
  "chat_messages.check_sender_type": ["user", "agent", "system"],
  "chat_messages.check_message_type": ["text", "stream", "file", "system"],
  "chat_messages.check_message_status": ["complete", "streaming", "cancelled", "error"],
  "chat_session_participants.check_role": ["owner", "member"],
};

/** Primary, unique and foreign keys: table.name → definition. */
const expectedKeys: Record<string, string> = {
  "chat_sessions.chat_sessions_pkey": "PRIMARY KEY (id)",
  "chat_sessions.chat_sessions_session_id_key": "UNIQUE (session_id)",
  "chat_sessions.chat_sessions_trace_id_key": "UNIQUE (trace_id)",
  "chat_messages.chat_messages_pkey": "PRIMARY KEY (id)",
  "chat_messages.chat_messages_message_id_key": "UNIQUE (message_id)",
  "chat_messages.uq_chat_messages_session_seq": "UNIQUE (session_id, seq)",
  "chat_messages.uq_chat_messages_session_client_msg": "UNIQUE (session_id, client_msg_id)",
  "chat_messages.uq_chat_messages_session_event_seq": "UNIQUE (session_id, event_seq)",
  "chat_messages.chat_messages_session_id_fkey":
    "FOREIGN KEY (session_id) REFERENCES chat_sessions(session_id) ON DELETE CASCADE",
  "chat_files.chat_files_pkey": "PRIMARY KEY (id)",
  "chat_files.chat_files_file_id_key": "UNIQUE (file_id)",
  "chat_files.chat_files_message_id_fkey":
    "FOREIGN KEY (message_id) REFERENCES chat_messages(message_id) ON DELETE CASCADE",
  "chat_files.chat_files_session_id_fkey":
    "FOREIGN KEY (session_id) REFERENCES chat_sessions(session_id) ON DELETE CASCADE",
  "chat_session_participants.chat_session_participants_pkey": "PRIMARY KEY (session_id, user_id)",
  "chat_session_participants.chat_session_participants_session_id_fkey":
    "FOREIGN KEY (session_id) REFERENCES chat_sessions(session_id) ON DELETE CASCADE",
};

/** Plain (non-constraint) indexes: name → table(columns). */
const expectedIndexes: Record<string, string> = {
  idx_chat_sessions_user_id: "chat_sessions(user_id)",
  idx_chat_sessions_agent_id: "chat_sessions(agent_id)",
  idx_chat_sessions_trace_id: "chat_sessions(trace_id)",
  idx_chat_sessions_status: "chat_sessions(status)",
  idx_chat_messages_session_id: "chat_messages(session_id)",
  idx_chat_messages_sender_id: "chat_messages(sender_id)",
  idx_chat_messages_created_at: "chat_messages(created_at)",
  idx_chat_files_message_id: "chat_files(message_id)",
  idx_chat_files_uploaded_by: "chat_files(uploaded_by)",
  idx_chat_files_session_id: "chat_files(session_id)",
  idx_chat_messages_content_trgm: "chat_messages USING gin (content gin_trgm_ops)",
  idx_chat_session_participants_user_id: "chat_session_participants(user_id)",
};

test("tables", async () => {
  const tables = await rows<{ name: string }>(sql`select table_name as name
    from information_schema.tables where table_schema = 'public' order by 1`);
  expect(tables.map((t) => t.name)).toEqual(Object.keys(expectedColumns).sort());
});

test("columns: types, nullability, defaults, order", async () => {
  const columns = await rows<{ table: string; ddl: string }>(sql`
    select table_name as table,
      concat_ws(' ', column_name,
        case when data_type = 'character varying'
          then 'varchar(' || character_maximum_length || ')' else data_type end,
        case when is_nullable = 'NO' then 'not null' end,
        'default ' || column_default) as ddl
    from information_schema.columns where table_schema = 'public'
    order by table_name, ordinal_position`);
  const actual: Record<string, string[]> = {};
  for (const c of columns) {
    actual[c.table] = [...(actual[c.table] ?? []), c.ddl];
  }
  expect(actual).toEqual(expectedColumns);
});

test("check constraints", async () => {
  const checks = await rows<{ key: string; def: string }>(sql`
    select conrelid::regclass::text || '.' || conname as key, pg_get_constraintdef(oid) as def
    from pg_constraint where connamespace = 'public'::regnamespace and contype = 'c'`);
  // The rendering of IN (...) differs between server versions; the allowed values do not.
  const actual = Object.fromEntries(checks.map((c) => [c.key, [...c.def.matchAll(/'([^']*)'/g)].map((m) => m[1])]));
  expect(actual).toEqual(expectedChecks);
});

test("primary, unique and foreign keys", async () => {
  const keys = await rows<{ key: string; def: string }>(sql`
    select conrelid::regclass::text || '.' || conname as key, pg_get_constraintdef(oid) as def
    from pg_constraint where connamespace = 'public'::regnamespace and contype in ('p', 'u', 'f')`);
  expect(Object.fromEntries(keys.map((k) => [k.key, k.def]))).toEqual(expectedKeys);
});

test("indexes by name", async () => {
  const indexes = await rows<{ name: string; def: string; constraint: boolean }>(sql`
    select i.indexname as name, i.indexdef as def,
      exists (select 1 from pg_constraint c where c.conname = i.indexname
        and c.connamespace = 'public'::regnamespace) as constraint
    from pg_indexes i where i.schemaname = 'public'`);
  const plain = Object.fromEntries(
    indexes
      .filter((i) => !i.constraint)
      .map((i) => [
        i.name,
        i.def
          .replace(/^CREATE INDEX \S+ ON public\.(\w+) USING btree /, "$1")
          .replace(/^CREATE INDEX \S+ ON public\./, ""),
      ]),
  );
  expect(plain).toEqual(expectedIndexes);
  // Every unique and primary key is backed by an index of the same name.
  const backing = indexes.filter((i) => i.constraint).map((i) => i.name);
  const keyNames = Object.entries(expectedKeys)
    .filter(([, def]) => !def.startsWith("FOREIGN"))
    .map(([key]) => key.split(".")[1]);
  expect(backing.sort()).toEqual(keyNames.sort());
});
