/**
 * The session object's configuration, parsed from the Env once when the
 * object starts and passed down: nothing deeper reads the Env.
 */
import { parseShares, type Shares } from "../context/shares";
import { countVar, type Env, intVar } from "../env";
import { type Budget, budgetOf, type LlmSettings, llmSettings } from "../llm/config";
import { type Connect, createUpstreamSockets } from "../llm/sockets";
import { parseRecallTuning, type RecallSettings } from "../recall/settings";
import type { TraceExportConfig } from "../shared/trace-export";
import { workerTraceConfig } from "../tracing";
import { parseTriggers } from "./pin-triggers";

export interface SessionConfig {
  /** Empty when not configured: the first query fails, not the object. */
  databaseUrl: string;
  llm: LlmSettings;
  /** Context window, the reply's reserve, and what is left for the prompt (before calibration). */
  budget: Budget;
  shares: Shares;
  /** Older turns recall may bring back per prompt (0: off). */
  recallLimit: number;
  /** Recall's levers (RECALL_TUNING), each on by default. */
  recall: RecallSettings;
  /** Phrases that pin a memory. */
  memoryTriggers: string[];
  /** Tokens of dropped turns that trigger a summary; null: a quarter of the prompt budget. */
  summaryTriggerTokens: number | null;
  /** Where the object's spans go (OTEL_* variables). */
  tracing: TraceExportConfig;
}

/** `connect`: workerd's, for the object's own connections to the LLM (unless LLM_TRANSPORT is "fetch"). */
export function sessionConfig(env: Env, connect?: Connect): SessionConfig {
  return {
    databaseUrl: env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL ?? "",
    llm: { ...llmSettings(env), sockets: connect && env.LLM_TRANSPORT !== "fetch" ? createUpstreamSockets(connect) : undefined },
    budget: budgetOf(env),
    shares: parseShares(env.LLM_BUDGET_SHARES),
    recallLimit: countVar(env.RECALL_LIMIT, 64),
    recall: parseRecallTuning(env.RECALL_TUNING),
    memoryTriggers: parseTriggers(env.MEMORY_TRIGGERS),
    summaryTriggerTokens: intVar(env.SUMMARY_TRIGGER_TOKENS, 0) || null,
    tracing: workerTraceConfig(env),
  };
}
