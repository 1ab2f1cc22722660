/**
 * The user's day at the LLM gateway (`GET {LLM_BASE_URL}/usage`): tokens
 * spent today against their plan, which only the gateway counts. Asked with
 * a tunnel token for the user, as a completion would be; null whenever it
 * cannot say (no gateway in front, down, slow), so the profile still loads.
 */
import { attemptHeaders } from "./client";
import { type LlmSettings, llmConfig } from "./config";
import { joinUrl } from "./post";
import type { TunnelClaims } from "./tunnel";

export interface GatewayUsage {
  day: string;
  usedTokens: number;
  dailyTokens: number;
  maxStreams: number;
  resetsIn: number;
}

const count = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** The gateway's answer, if it is one. */
export function readUsage(body: unknown): GatewayUsage | undefined {
  const b = body as Partial<Record<keyof GatewayUsage, unknown>> | null;
  if (typeof b !== "object" || b === null || typeof b.day !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(b.day)) return undefined;
  const { usedTokens, dailyTokens, maxStreams, resetsIn } = b;
  if (!count(usedTokens) || !count(dailyTokens) || !count(maxStreams) || !count(resetsIn)) return undefined;
  return { day: b.day, usedTokens, dailyTokens, maxStreams, resetsIn };
}

export async function fetchUsage(settings: LlmSettings, claims: TunnelClaims, timeoutMs = 2_000): Promise<GatewayUsage | null> {
  if (!settings.baseUrl || settings.provider !== "openai") return null;
  try {
    const cfg = llmConfig(settings, claims);
    const res = await fetch(joinUrl(cfg.baseUrl, "/usage"), {
      headers: { accept: "application/json", ...(await attemptHeaders(cfg)) },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    return readUsage(await res.json()) ?? null;
  } catch {
    return null;
  }
}
