import { defineConfig } from "drizzle-kit";

// `drizzle-kit migrate` (the deploy pipeline's migration step) needs a connection; `generate` and
// `check` do not, so the URL is only passed when DATABASE_URL is set.
const url = process.env.DATABASE_URL;

export default defineConfig({
  dialect: "postgresql",
  schema: "./worker/db/schema.ts",
  out: "./drizzle",
  ...(url ? { dbCredentials: { url } } : {}),
});
