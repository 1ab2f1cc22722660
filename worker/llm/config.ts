/** The LLM client's configuration: settings read from the Env once, and one session's config from them. */
import type { Env } from "../env";
import { intVar } from "../env";
import { createTunnelHeaders, type TunnelClaims, type TunnelConfig } from "./tunnel";
import type { LlmConfig } from "./types";

/** Everything of the LLM path the Env decides; a session adds its claims and the character's model. */
export interface LlmSettings extends Omit<LlmConfig, "headers"> {
  tunnel: TunnelConfig;
}

export function llmSettings(env: Env): LlmSettings {
  return {
    provider: env.LLM_PROVIDER === "legacy" ? "legacy" : "openai",
    baseUrl: (env.LLM_BASE_URL ?? "").replace(/\/+$/, ""),
    model: env.LLM_MODEL || "development",
    apiKey: env.LLM_API_KEY || undefined,
    firstTokenMs: intVar(env.LLM_FIRST_TOKEN_MS, 20_000),
    gapMs: intVar(env.LLM_GAP_MS, 15_000),
    totalMs: intVar(env.LLM_TOTAL_MS, 120_000),
    tunnel: {
      signingKey: env.TUNNEL_SIGNING_KEY,
      issuer: env.TUNNEL_ISSUER || "chat-worker",
      accessClientId: env.CF_ACCESS_CLIENT_ID,
      accessClientSecret: env.CF_ACCESS_CLIENT_SECRET,
    },
  };
}

/** The config of one session's calls: tunnel tokens carry its claims; a character may name its own model. */
export function llmConfig(settings: LlmSettings, claims: TunnelClaims, model?: string | null): LlmConfig {
  const { tunnel, ...rest } = settings;
  return { ...rest, model: model || settings.model, headers: createTunnelHeaders(tunnel, claims) };
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

/**
 * The budget for a model whose server reports its window: the reported
 * window replaces the configured one (LLM_CONTEXT_TOKENS is the fallback),
 * and the reply keeps its reserve, at most half of it.
 */
export function budgetFor(configured: Budget, window: number | undefined): Budget {
  if (window === undefined) return configured;
  const reply = Math.min(configured.reply, Math.floor(window / 2));
  return { context: window, reply, prompt: window - reply };
}
