/**
 * Model pools: which upstreams serve which model names, read from the pools
 * file (GATEWAY_POOLS). Routing and the retry/fallback plan are pure
 * functions of that table, so they are tested without a network.
 */
import { z } from "zod";
import { rendezvousOrder } from "./affinity";

export type PoolType = "openai" | "legacy-generate";

export interface Timeouts {
  /** Until the upstream's first bytes (connect, queue, prefill). */
  firstTokenMs: number;
  /** Longest silence between two chunks once streaming. */
  idleMs: number;
  /** Whole request. */
  totalMs: number;
}

export interface Upstream {
  url: string;
  weight: number;
  /**
   * `dns`: the URL's host names the replicas (a headless Service) and each
   * address it resolves to is an upstream of its own (replicas.ts), so
   * session affinity can pick one replica rather than a Service.
   */
  discover?: "dns";
}

export interface Pool {
  name: string;
  type: PoolType;
  models: string[];
  upstreamModel?: string;
  upstreams: Upstream[];
  /** The replicas found behind `discover` upstreams (replicas.ts), in their place; unset until found. */
  live?: Upstream[];
  retries: number;
  fallback?: string;
  apiKey?: string;
  timeouts: Timeouts;
  /** The context window its model servers serve (vLLM's --max-model-len), told to callers by `GET /v1/models`. */
  maxModelLen?: number;
}

export interface PoolTable {
  pools: Map<string, Pool>;
  byModel: Map<string, Pool>;
  /** The pool listing `"*"`, taking any model no other pool names. */
  catchAll?: Pool;
}

/** One upstream call in the plan; `model` is the name sent to it. */
export interface Attempt {
  pool: Pool;
  upstream: Upstream;
  model: string;
  fallback: boolean;
}

export const DEFAULT_TIMEOUTS: Timeouts = { firstTokenMs: 60_000, idleMs: 30_000, totalMs: 600_000 };

const ms = z.number().int().positive().max(3_600_000);
const poolSchema = z.strictObject({
  type: z.enum(["openai", "legacy-generate"]).default("openai"),
  models: z.array(z.string().min(1)).min(1),
  upstreamModel: z.string().min(1).optional(),
  upstreams: z
    .array(
      z.union([z.url(), z.strictObject({ url: z.url(), weight: z.number().positive().default(1), discover: z.literal("dns").optional() })]),
    )
    .min(1),
  retries: z.number().int().min(0).max(5).default(1),
  fallback: z.string().min(1).optional(),
  apiKeyEnv: z.string().min(1).optional(),
  timeouts: z.strictObject({ firstTokenMs: ms, idleMs: ms, totalMs: ms }).partial().default({}),
  maxModelLen: z.number().int().min(256).max(10_000_000).optional(),
});
const fileSchema = z.strictObject({ pools: z.record(z.string().min(1), poolSchema) });

/**
 * Validates a parsed pools file. `env` resolves `apiKeyEnv`. Throws with a
 * readable message on anything inconsistent: the gateway should not start.
 */
export function parsePools(input: unknown, env: Record<string, string | undefined> = {}): PoolTable {
  const parsed = fileSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid pools file: ${z.prettifyError(parsed.error)}`);
  const table: PoolTable = { pools: new Map(), byModel: new Map() };
  for (const [name, raw] of Object.entries(parsed.data.pools)) {
    const apiKey = raw.apiKeyEnv === undefined ? undefined : env[raw.apiKeyEnv];
    if (raw.apiKeyEnv !== undefined && !apiKey) throw new Error(`pool ${name}: ${raw.apiKeyEnv} is not set`);
    const pool: Pool = {
      name,
      type: raw.type,
      models: raw.models,
      upstreamModel: raw.upstreamModel,
      upstreams: raw.upstreams
        .map((u) => (typeof u === "string" ? { url: u, weight: 1 } : u))
        .map((u) => ({ ...u, url: u.url.replace(/\/+$/, "") })),
      retries: raw.retries,
      fallback: raw.fallback,
      apiKey,
      timeouts: { ...DEFAULT_TIMEOUTS, ...raw.timeouts },
      maxModelLen: raw.maxModelLen,
    };
    table.pools.set(name, pool);
    for (const model of pool.models) {
      if (model === "*") {
        if (table.catchAll) throw new Error(`pools ${table.catchAll.name} and ${name} both list "*"`);
        table.catchAll = pool;
      } else {
        const other = table.byModel.get(model);
        if (other) throw new Error(`model ${model} is listed by pools ${other.name} and ${name}`);
        table.byModel.set(model, pool);
      }
    }
  }
  if (table.pools.size === 0) throw new Error("the pools file defines no pools");
  for (const pool of table.pools.values()) {
    if (pool.fallback !== undefined && (!table.pools.has(pool.fallback) || pool.fallback === pool.name)) {
      throw new Error(`pool ${pool.name}: fallback ${pool.fallback} is not another pool`);
    }
  }
  return table;
}

export function findPool(table: PoolTable, model: string): Pool | undefined {
  return table.byModel.get(model) ?? table.catchAll;
}

/** The model names `GET /v1/models` lists (the catch-all adds none). */
export function listModels(table: PoolTable): string[] {
  return [...table.byModel.keys()].sort();
}

/**
 * The window a request for `model` can count on: the smallest `maxModelLen`
 * among the pools it may be answered by (fallbacks included), so a prompt
 * sized to it fits wherever it lands. Undefined when none of them says.
 */
export function modelWindow(table: PoolTable, model: string): number | undefined {
  const windows = new Set(planAttempts(table, model, () => 0.5).map((a) => a.pool.maxModelLen));
  const known = [...windows].filter((w): w is number => w !== undefined);
  return known.length ? Math.min(...known) : undefined;
}

/** Weighted random order without repeats (Efraimidis–Spirakis keys). */
export function weightedOrder<T extends { weight: number }>(items: T[], random: () => number = Math.random): T[] {
  return items
    .map((item) => ({ item, key: (random() || Number.MIN_VALUE) ** (1 / item.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((x) => x.item);
}

/**
 * Every upstream call the gateway may make for one request, in order: the
 * pool's upstreams (`retries + 1` calls, cycling), then the fallback chain the
 * same way. With an `affinityKey` (the conversation) the upstreams come in
 * that key's rendezvous order, so its turns reach the same replica while it
 * answers and the same runner-up when it does not; without one, in weighted
 * random order. Attempts are only used before the first token.
 */
export function planAttempts(table: PoolTable, model: string, random: () => number = Math.random, affinityKey?: string): Attempt[] {
  const attempts: Attempt[] = [];
  const seen = new Set<string>();
  let pool = findPool(table, model);
  let fallback = false;
  while (pool && !seen.has(pool.name)) {
    seen.add(pool.name);
    // A fallback pool gets its own model name unless it takes any name.
    const served = pool.models.includes(model) || pool.models.includes("*");
    const name = pool.upstreamModel ?? (served ? model : pool.models[0]);
    const upstreams = pool.live ?? pool.upstreams;
    const order = affinityKey === undefined ? weightedOrder(upstreams, random) : rendezvousOrder(upstreams, affinityKey);
    for (let i = 0; i <= pool.retries; i++) attempts.push({ pool, upstream: order[i % order.length], model: name, fallback });
    pool = pool.fallback === undefined ? undefined : table.pools.get(pool.fallback);
    fallback = true;
  }
  return attempts;
}
