/**
 * Where the service's time goes, from outside (timers inside workerd do not
 * advance between I/O, and the worker is not to be instrumented): requests
 * that stop at successive layers of the send path, taken round-robin so
 * they share the same drift. The difference between neighbouring layers is
 * that layer's cost.
 */
import { type CpuMeter, cpuOf } from "./cpu";
import { send } from "./http-client";
import { type Summary, summarize } from "./stats";
import type { Conversation, Meters, Paths } from "./turns";

export interface Layer {
  name: string;
  /** What the request reaches beyond the layer before it. */
  adds: string;
  /** The layer it builds on; its cost is the difference to that one. */
  after: string | null;
  summary: Summary;
  /** CPU ms per request of the process that answers it (workerd or the proxy); null when not metered. */
  cpu: Summary | null;
}

type Step = Omit<Layer, "summary" | "cpu"> & { meter: CpuMeter | null; run(): Promise<number> };

async function timed(url: string, expect: number, headers: Record<string, string> = {}): Promise<number> {
  const res = await send("GET", url, { headers });
  if (res.status !== expect) throw new Error(`GET ${url}: expected ${expect}, got ${res.status}: ${res.body.slice(0, 200)}`);
  return res.totalMs;
}

/** Round-robin over the layers, `rounds` times each, after the caller has warmed the session. */
export async function measureLayers(paths: Paths, meters: Meters, chat: Conversation, rounds: number): Promise<Layer[]> {
  const auth = { authorization: `Bearer ${chat.token}` };
  const s = paths.service;
  const base = "dev LLM GET /healthz";
  const jwt = "service 404 (valid token)";
  const steps: Step[] = [
    {
      name: base,
      after: null,
      adds: "loopback HTTP round trip to a Node server (baseline)",
      meter: null,
      run: () => timed(`${paths.llm}/healthz`, 200),
    },
    {
      name: "proxy GET /healthz",
      after: base,
      adds: "one Node pass-through hop",
      meter: meters.proxy,
      run: () => timed(`${paths.proxy}/healthz`, 200),
    },
    {
      name: "service GET /healthz",
      after: base,
      adds: "workerd front (miniflare entry, assets router) + Hono",
      meter: meters.service,
      run: () => timed(`${s}/healthz`, 200),
    },
    {
      name: "service 401 (no token)",
      after: "service GET /healthz",
      adds: "request-resources middleware + error handler",
      meter: meters.service,
      run: () => timed(`${s}/api/chats/x/messages`, 401),
    },
    {
      name: jwt,
      after: "service 401 (no token)",
      adds: "JWT verification (jose HS256)",
      meter: meters.service,
      run: () => timed(`${s}/api/chats/x/messages`, 404, auth),
    },
    {
      name: "service GET /api/character/:id",
      after: jwt,
      adds: "Redis: a new connection per request + GET (cache hit)",
      meter: meters.service,
      run: () => timed(`${s}/api/character/${chat.characterId}`, 200, auth),
    },
    {
      name: "service GET history ?limit=1",
      after: jwt,
      adds: "Durable Object RPC + SQLite read (hot session)",
      meter: meters.service,
      run: () => timed(`${s}/api/chats/${chat.characterId}/messages?limit=1`, 200, auth),
    },
  ];
  const samples = steps.map(() => [] as number[]);
  const cpu = steps.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < steps.length; i++) {
      const { value, cpuMs } = await cpuOf(steps[i].meter, steps[i].run);
      samples[i].push(value);
      if (cpuMs !== null) cpu[i].push(cpuMs);
    }
  }
  return steps.map(({ run: _run, meter: _meter, ...step }, i) => ({
    ...step,
    summary: summarize(samples[i]),
    cpu: cpu[i].length === rounds ? summarize(cpu[i]) : null,
  }));
}
