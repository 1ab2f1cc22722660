/** Plans: the per-user limits the LLM gateway enforces, kept as data (see `plans` in schema.ts). */
import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { plans, users } from "./schema";

export interface PlanLimits {
  plan: string;
  /** Completion tokens per UTC day. */
  dailyTokens: number;
  /** Replies in flight at once. */
  maxStreams: number;
}

/** The user's plan and its limits; undefined when there is no such user. */
export async function planOf(db: Db, userId: string): Promise<PlanLimits | undefined> {
  const rows = await db
    .select({ plan: plans.id, dailyTokens: plans.dailyTokens, maxStreams: plans.maxStreams })
    .from(users)
    .innerJoin(plans, eq(users.planId, plans.id))
    .where(eq(users.id, userId))
    .limit(1);
  return rows[0];
}
