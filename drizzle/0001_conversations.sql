DROP INDEX "chat_sessions_pair";--> statement-breakpoint
ALTER TABLE "chat_memories" ALTER COLUMN "session_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD COLUMN "chat_key" text DEFAULT 'main' NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD COLUMN "title" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_sessions_chat" ON "chat_sessions" USING btree ("user_id","character_id","chat_key");