/**
 * The one typed environment of the worker. Everything is a string binding
 * with a working local default, except the bindings Cloudflare provides.
 */
import type { ChatSession } from "./session/chat-session";

export interface Env {
  /** PostgreSQL; in production Hyperdrive's connection string wins. */
  DATABASE_URL?: string;
  HYPERDRIVE?: { connectionString: string };
  /** Unset → no shared cache and login throttling kept off, stated in the log. */
  REDIS_URL?: string;
  LLM_BASE_URL?: string;
  /** "fetch": session objects reach the LLM with fetch() instead of their own sockets (llm/http1.ts, sockets.ts). */
  LLM_TRANSPORT?: string;
  LLM_MODEL?: string;
  LLM_API_KEY?: string;
  /** "openai" (default) or "legacy" (the seed's POST /generate). */
  LLM_PROVIDER?: string;
  LLM_CONTEXT_TOKENS?: string;
  LLM_MAX_REPLY_TOKENS?: string;
  LLM_FIRST_TOKEN_MS?: string;
  LLM_GAP_MS?: string;
  LLM_TOTAL_MS?: string;
  /** "1" when LLM_BASE_URL points at the built-in development LLM. */
  DEV_LLM?: string;
  /** HMAC secret for access tokens (at least 32 bytes). */
  AUTH_SECRET: string;
  TUNNEL_SIGNING_KEY?: string;
  TUNNEL_ISSUER?: string;
  CF_ACCESS_CLIENT_ID?: string;
  CF_ACCESS_CLIENT_SECRET?: string;
  /** Budget shares, e.g. "memories=0.15,summary=0.15,recall=0.15"; the rest goes to the character and recent turns. */
  LLM_BUDGET_SHARES?: string;
  /** Older turns recall may bring back per prompt (0 turns recall off); the budget decides how many fit. */
  RECALL_LIMIT?: string;
  /** Recall's levers, each on unless turned off here: "exchange=0,hop=0,context=0,flow=0,dates=0,dedupe=0,bm25=0" (worker/recall/settings.ts). */
  RECALL_TUNING?: string;
  /** Tokens of dropped turns that trigger a summary (default a quarter of the prompt budget). */
  SUMMARY_TRIGGER_TOKENS?: string;
  /** Comma-separated phrases that pin a memory ("remember this", …). */
  MEMORY_TRIGGERS?: string;
  /** New accounts per client address per hour (default 20). */
  REGISTER_LIMIT?: string;
  /** Operator token for /readyz details; unset → details are never shown. */
  OPS_TOKEN?: string;
  /**
   * Tracing (worker/tracing.ts), OpenTelemetry's standard names: unset → no spans
   * are exported (trace ids still reach the logs and the gateway).
   * OTEL_TRACES_EXPORTER is `otlp` or `console`; OTEL_EXPORTER_OTLP_HEADERS is a secret.
   */
  OTEL_TRACES_EXPORTER?: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_RESOURCE_ATTRIBUTES?: string;
  OTEL_TRACES_SAMPLER?: string;
  OTEL_TRACES_SAMPLER_ARG?: string;
  /** "production" trusts CF-Connecting-IP (set by Cloudflare's edge) and sends HSTS. */
  ENVIRONMENT?: string;
  CHAT_SESSION: DurableObjectNamespace<ChatSession>;
  /** Avatars and card images (R2 in production, miniflare's R2 locally); never PostgreSQL rows. */
  AVATARS: R2Bucket;
  ASSETS?: Fetcher;
}

/** The database URL for this deployment. */
export function databaseUrl(env: Env): string {
  const url = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not configured");
  return url;
}

export function intVar(value: string | undefined, fallback: number): number {
  const n = value === undefined || value === "" ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

/** Like intVar, but 0 is a valid setting (e.g. RECALL_LIMIT=0 turns recall off). */
export function countVar(value: string | undefined, fallback: number): number {
  return value === "0" ? 0 : intVar(value, fallback);
}
