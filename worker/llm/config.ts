/** The LLM client's configuration for one session, from the Env. */
import type { Env } from "../env";
import { intVar } from "../env";
import { createTunnelHeaders } from "./tunnel";
import type { LlmConfig } from "./types";

export function llmConfig(env: Env, claims: { sessionId: string; userId: string } | undefined, model?: string | null): LlmConfig {
  return {
    provider: env.LLM_PROVIDER === "legacy" ? "legacy" : "openai",
    baseUrl: (env.LLM_BASE_URL ?? "").replace(/\/+$/, ""),
    model: model || env.LLM_MODEL || "development",
    apiKey: env.LLM_API_KEY || undefined,
    firstTokenMs: intVar(env.LLM_FIRST_TOKEN_MS, 20_000),
    gapMs: intVar(env.LLM_GAP_MS, 15_000),
    totalMs: intVar(env.LLM_TOTAL_MS, 120_000),
    headers: claims
      ? createTunnelHeaders(
          {
            signingKey: env.TUNNEL_SIGNING_KEY,
            issuer: env.TUNNEL_ISSUER || "chat-worker",
            accessClientId: env.CF_ACCESS_CLIENT_ID,
            accessClientSecret: env.CF_ACCESS_CLIENT_SECRET,
          },
          claims,
        )
      : undefined,
  };
}

export interface Budget {
  context: number;
  reply: number;
  prompt: number;
}

export function budgetOf(env: Env): Budget {
  const context = intVar(env.LLM_CONTEXT_TOKENS, 8192);
  const reply = Math.min(intVar(env.LLM_MAX_REPLY_TOKENS, 512), Math.floor(context / 2));
  return { context, reply, prompt: context - reply };
}
