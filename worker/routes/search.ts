/** GET /api/search?q=: the caller's own messages that match, best first. */
import { Hono } from "hono";
import { requireUser } from "../auth/require-user";
import { searchMessages } from "../db/search";
import { AppError } from "../errors";
import { textProblem } from "../http/text";
import type { AppEnv } from "../resources";

export const searchRoutes = new Hono<AppEnv>().use(requireUser()).get("/", async (c) => {
  const q = (c.req.query("q") ?? "").trim();
  if (!q || q.length > 200) throw new AppError("invalid_input", { field: "q", message: "q: 1 to 200 characters." });
  const problem = textProblem(q);
  if (problem) throw new AppError("invalid_input", { field: "q", message: `q: ${problem}` });
  const limit = Math.min(50, Math.max(1, Number(c.req.query("limit") ?? 20) || 20));
  return c.json({ results: await searchMessages(c.var.db(), c.var.userId, q, limit) });
});
