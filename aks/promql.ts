/**
 * Just enough PromQL to check a scaler's query against the metrics that exist:
 * the vector selectors it reads (`name{label="value", …}`), with their
 * matchers. Function names, aggregation keywords and the labels inside
 * `by (…)` are not selectors; durations and numbers are skipped.
 */

export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

export interface VectorSelector {
  name: string;
  matchers: Matcher[];
}

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
  "and",
  "or",
  "unless",
  "atan2",
]);
// Aggregations may put `by (…)` between their name and their argument.
const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,?)/y;

function parseMatchers(query: string, start: number): { matchers: Matcher[]; end: number } {
  const matchers: Matcher[] = [];
  let i = start + 1;
  for (;;) {
    while (/\s/.test(query[i] ?? "")) i++;
    if (query[i] === "}") return { matchers, end: i + 1 };
    MATCHER.lastIndex = i;
    const m = MATCHER.exec(query);
    if (!m) throw new Error(`cannot read the label matchers at ${i} in ${query}`);
    matchers.push({ label: m[1], op: m[2] as Matcher["op"], value: m[3].replace(/\\(.)/g, "$1") });
    i = MATCHER.lastIndex;
    if (!m[4] && query[i] !== "}") throw new Error(`expected "," or "}" at ${i} in ${query}`);
  }
}

/** The vector selectors a query reads, in order. Throws on matchers it cannot read. */
export function vectorSelectors(query: string): VectorSelector[] {
  const out: VectorSelector[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i];
    if (ch === '"' || ch === "'") {
      const close = query.indexOf(ch, i + 1);
      i = close < 0 ? query.length : close + 1;
      continue;
    }
    if (ch === "[") {
      i = query.indexOf("]", i) + 1 || query.length;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (/[0-9a-zA-Z.]/.test(query[i] ?? "")) i++;
      continue;
    }
    if (ch === "{") {
      const { matchers, end } = parseMatchers(query, i);
      const name = matchers.find((m) => m.label === "__name__" && m.op === "=")?.value ?? "";
      out.push({ name, matchers: matchers.filter((m) => m.label !== "__name__") });
      i = end;
      continue;
    }
    NAME.lastIndex = i;
    const m = NAME.exec(query);
    if (!m) {
      i++;
      continue;
    }
    const name = m[0];
    let j = NAME.lastIndex;
    while (/\s/.test(query[j] ?? "")) j++;
    if (KEYWORDS.has(name)) {
      // `by (a, b)` lists labels, not metrics.
      i = query[j] === "(" && name !== "bool" && name !== "offset" ? query.indexOf(")", j) + 1 : j;
      continue;
    }
    if (query[j] === "(" || AGGREGATIONS.has(name)) {
      i = j; // a function or aggregation
      continue;
    }
    if (query[j] === "{") {
      const { matchers, end } = parseMatchers(query, j);
      out.push({ name, matchers });
      i = end;
      continue;
    }
    out.push({ name, matchers: [] });
    i = j;
  }
  return out;
}
