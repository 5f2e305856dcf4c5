-- Trigram matching for message search (Korean has no word boundaries for full-text search).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "chat_files" (
	"id" serial PRIMARY KEY NOT NULL,
	"message_id" varchar(100),
	"file_id" varchar(100) NOT NULL,
	"file_name" varchar(255) NOT NULL,
	"file_type" varchar(100),
	"file_size" integer,
	"file_url" varchar(500),
	"thumbnail_url" varchar(500),
	"uploaded_by" varchar(100),
	"uploaded_at" timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
	"session_id" varchar(100),
	"storage_key" varchar(500),
	"sha256" varchar(64),
	CONSTRAINT "chat_files_file_id_key" UNIQUE("file_id")
);
--> statement-breakpoint
CREATE TABLE "chat_messages" (
	"id" serial PRIMARY KEY NOT NULL,
	"session_id" varchar(100),
	"message_id" varchar(100) NOT NULL,
	"sender_type" varchar(20) NOT NULL,
	"sender_id" varchar(100) NOT NULL,
	"message_type" varchar(20) NOT NULL,
	"content" text,
	"metadata" jsonb,
	"tokens_used" integer,
	"latency_ms" integer,
	"is_edited" boolean DEFAULT false,
	"edited_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
	"seq" bigint NOT NULL,
	"event_seq" bigint NOT NULL,
	"client_msg_id" varchar(100),
	"status" varchar(20) DEFAULT 'complete' NOT NULL,
	CONSTRAINT "chat_messages_message_id_key" UNIQUE("message_id"),
	CONSTRAINT "uq_chat_messages_session_seq" UNIQUE("session_id","seq"),
	CONSTRAINT "uq_chat_messages_session_client_msg" UNIQUE("session_id","client_msg_id"),
	CONSTRAINT "uq_chat_messages_session_event_seq" UNIQUE("session_id","event_seq"),
	CONSTRAINT "check_sender_type" CHECK (sender_type IN ('user', 'agent', 'system')),
	CONSTRAINT "check_message_type" CHECK (message_type IN ('text', 'stream', 'file', 'system')),
	CONSTRAINT "check_message_status" CHECK (status IN ('complete', 'streaming', 'cancelled', 'error'))
);
--> statement-breakpoint
CREATE TABLE "chat_session_participants" (
	"session_id" varchar(100) NOT NULL,
	"user_id" varchar(100) NOT NULL,
	"role" varchar(20) DEFAULT 'member' NOT NULL,
	"last_read_seq" bigint DEFAULT 0 NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now(),
	CONSTRAINT "chat_session_participants_pkey" PRIMARY KEY("session_id","user_id"),
	CONSTRAINT "check_role" CHECK (role IN ('owner', 'member'))
);
--> statement-breakpoint
CREATE TABLE "chat_sessions" (
	"id" serial PRIMARY KEY NOT NULL,
	"session_id" varchar(100) NOT NULL,
	"trace_id" varchar(100),
	"user_id" varchar(100) NOT NULL,
	"agent_id" integer,
	"title" varchar(200),
	"status" varchar(20) DEFAULT 'active',
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
	"updated_at" timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
	"ended_at" timestamp with time zone,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "chat_sessions_session_id_key" UNIQUE("session_id"),
	CONSTRAINT "chat_sessions_trace_id_key" UNIQUE("trace_id"),
	CONSTRAINT "check_status" CHECK (status IN ('active', 'archived', 'deleted'))
);
--> statement-breakpoint
ALTER TABLE "chat_files" ADD CONSTRAINT "chat_files_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "public"."chat_messages"("message_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_files" ADD CONSTRAINT "chat_files_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "public"."chat_sessions"("session_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "public"."chat_sessions"("session_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_session_participants" ADD CONSTRAINT "chat_session_participants_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "public"."chat_sessions"("session_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_chat_files_message_id" ON "chat_files" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "idx_chat_files_uploaded_by" ON "chat_files" USING btree ("uploaded_by");--> statement-breakpoint
CREATE INDEX "idx_chat_files_session_id" ON "chat_files" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_chat_messages_session_id" ON "chat_messages" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "idx_chat_messages_sender_id" ON "chat_messages" USING btree ("sender_id");--> statement-breakpoint
CREATE INDEX "idx_chat_messages_created_at" ON "chat_messages" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_chat_messages_content_trgm" ON "chat_messages" USING gin ("content" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "idx_chat_session_participants_user_id" ON "chat_session_participants" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_chat_sessions_user_id" ON "chat_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_chat_sessions_agent_id" ON "chat_sessions" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "idx_chat_sessions_trace_id" ON "chat_sessions" USING btree ("trace_id");--> statement-breakpoint
CREATE INDEX "idx_chat_sessions_status" ON "chat_sessions" USING btree ("status");