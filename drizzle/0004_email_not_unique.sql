DROP INDEX "users_email_lower";--> statement-breakpoint
CREATE INDEX "users_email_lower_created" ON "users" USING btree (lower("email"),"created_at","id");