/**
 * The worker's deployment (wrangler.toml) and the AKS side must agree: the
 * model the worker asks for is one the gateway routes, and every model server
 * a turn can land on (fallbacks included) serves that name with at least the
 * window the worker budgets. Uses the gateway's own routing (planAttempts).
 */
import { readFileSync } from "node:fs";
import type { IService } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { parsePools, planAttempts } from "./gateway/pools";
import { mainContainer, OVERLAYS, renderOverlay, workloadsBehind } from "./rendered";

/** The `[vars]` table of wrangler.toml: plain `KEY = "value"` lines. */
function wranglerVars(): Record<string, string> {
  const toml = readFileSync("wrangler.toml", "utf8");
  const table = /^\[vars\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? "";
  return Object.fromEntries([...table.matchAll(/^([A-Z0-9_]+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]));
}

const arg = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

describe.each(OVERLAYS.map((o) => [o.name] as const))("wrangler.toml and aks/overlays/%s", (name) => {
  const vars = wranglerVars();

  it("reads the worker's model and window from wrangler.toml", () => {
    expect(vars.LLM_MODEL).toBeTruthy();
    expect(Number(vars.LLM_CONTEXT_TOKENS)).toBeGreaterThan(Number(vars.LLM_MAX_REPLY_TOKENS));
  });

  it("routes the worker's model to model servers that serve that name with the worker's window, fallbacks included", () => {
    const r = renderOverlay(name);
    const pools = parsePools(JSON.parse(r.configMap("llm-gateway-pools").data!["pools.json"]));
    const attempts = planAttempts(pools, vars.LLM_MODEL);
    expect(attempts.length, `no pool routes ${vars.LLM_MODEL}`).toBeGreaterThan(0);
    for (const attempt of attempts) {
      const host = new URL(attempt.upstream.url).hostname;
      const [server] = workloadsBehind(r, r.one<IService>("Service", host));
      expect(server, `a model server behind ${host}`).toBeDefined();
      const args = mainContainer(server).args ?? [];
      expect(arg(args, "--served-model-name"), `${server.name} serves the name the gateway sends`).toBe(attempt.model);
      expect(Number(arg(args, "--max-model-len")), `${server.name}'s window`).toBeGreaterThanOrEqual(Number(vars.LLM_CONTEXT_TOKENS));
      // The window the gateway reports (and the worker then budgets) is one the server really serves.
      expect(attempt.pool.maxModelLen, `pool ${attempt.pool.name}'s maxModelLen`).toBeDefined();
      expect(attempt.pool.maxModelLen, `pool ${attempt.pool.name}'s maxModelLen`).toBeLessThanOrEqual(Number(arg(args, "--max-model-len")));
    }
  });
});
