/**
 * Command-line options of `npm run bench:memory` (after `--`); parsed by a pure function.
 *
 *   --data DIR        the LoCoMo files (default ../shared/data/locomo from the repo root; or LOCOMO_DIR)
 *   --conv ID         only this conversation (26 or conv-26); repeat or comma-separate for several
 *   --questions N     only the first N questions of each conversation
 *   --env KEY=VALUE   a worker variable for this run (an ablation: RECALL_LIMIT=0, LLM_BUDGET_SHARES=…); repeatable
 *   --label NAME      the service row's name (default "service")
 *   --no-twin         no recall-off twin worker (no paired first-token figures)
 *   --out FILE        the JSON results (default bench/memory-results.json)
 */

export interface MemoryOptions {
  data: string;
  conversations: string[];
  questions?: number;
  env: Record<string, string>;
  label: string;
  twin: boolean;
  out: string;
  help: boolean;
}

export const DEFAULT_DATA = "../shared/data/locomo";
export const DEFAULT_OUT = "bench/memory-results.json";
/** The protocol's window: 2,048 tokens with 256 kept for the reply. Overridable only on purpose, with --env. */
export const PROTOCOL_ENV: Record<string, string> = { LLM_CONTEXT_TOKENS: "2048", LLM_MAX_REPLY_TOKENS: "256" };

export function parseOptions(argv: readonly string[], env: Record<string, string | undefined> = {}): MemoryOptions {
  const o: MemoryOptions = {
    data: env.LOCOMO_DIR || DEFAULT_DATA,
    conversations: [],
    env: {},
    label: "service",
    twin: true,
    out: DEFAULT_OUT,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--data") o.data = value();
    else if (flag === "--conv") o.conversations.push(...value().split(",").filter(Boolean));
    else if (flag === "--questions") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error("--questions needs a whole number ≥ 1");
      o.questions = n;
    } else if (flag === "--env") {
      const v = value();
      const eq = v.indexOf("=");
      if (eq < 1) throw new Error(`--env needs KEY=VALUE, got ${v}`);
      o.env[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (flag === "--label") o.label = value();
    else if (flag === "--no-twin") o.twin = false;
    else if (flag === "--out") o.out = value();
    else if (flag === "--help" || flag === "-h") o.help = true;
    else throw new Error(`unknown option ${flag} (see --help)`);
  }
  return o;
}
