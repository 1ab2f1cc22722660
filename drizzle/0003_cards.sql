ALTER TABLE "characters" ADD COLUMN "tags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "characters" ADD COLUMN "avatar_key" text;--> statement-breakpoint
ALTER TABLE "characters" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple', "characters"."name"), 'A') || setweight(to_tsvector('simple'::regconfig, "characters"."tags"), 'A') || setweight(to_tsvector('english', "characters"."tagline"), 'B') || setweight(to_tsvector('english', "characters"."description"), 'C')) STORED;--> statement-breakpoint
CREATE INDEX "characters_search" ON "characters" USING gin ("search");--> statement-breakpoint
CREATE INDEX "characters_tags" ON "characters" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "characters_avatar" ON "characters" USING btree ("avatar_key");--> statement-breakpoint
CREATE INDEX "chat_sessions_character" ON "chat_sessions" USING btree ("character_id");