ALTER TABLE "chat_messages" drop column "search";--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', content)) STORED;--> statement-breakpoint
-- Dropping the column dropped its GIN index: made again over the stemmed column (drizzle-kit does not see this).
CREATE INDEX "chat_messages_search" ON "chat_messages" USING gin ("search");--> statement-breakpoint
CREATE INDEX "chat_messages_session_order" ON "chat_messages" USING btree ("session_id","id");--> statement-breakpoint
CREATE INDEX "chat_messages_dated" ON "chat_messages" USING btree ("session_id","id") WHERE content ~ '^\s*\[[^]\n]*[0-9]';