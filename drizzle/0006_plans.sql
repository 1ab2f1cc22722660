CREATE TABLE "plans" (
	"id" text PRIMARY KEY NOT NULL,
	"daily_tokens" integer NOT NULL,
	"max_streams" integer NOT NULL
);
--> statement-breakpoint
-- Every user is on a plan; the default one exists before any user points at it (the gateway's own defaults).
INSERT INTO "plans" ("id", "daily_tokens", "max_streams") VALUES ('free', 200000, 2) ON CONFLICT ("id") DO NOTHING;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "plan_id" text DEFAULT 'free' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;