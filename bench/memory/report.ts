/**
 * The memory benchmark's results: evidence-in-prompt shares for the
 * service, its recall-off twin and the two baselines, overall, per category
 * and per conversation; the paired first-token times; and the markdown
 * printed from them. Pure. Question texts never enter the results, only
 * their position in the data file.
 */
import { pairedDiff, type Summary, summarize } from "../stats";
import { CATEGORY_NAMES, type Category } from "./locomo";
import type { ConversationRun, QuestionRecord } from "./measure";
import { type Tally, tally } from "./score";

export type Row = "service" | "twin" | "rag" | "recent";
const ROWS: Row[] = ["service", "twin", "rag", "recent"];

export interface MemoryResults {
  label: string;
  env: Record<string, string>;
  conversations: { id: string; turns: number; questions: number; skipped: number; tallies: Partial<Record<Row, Tally>> }[];
  overall: Partial<Record<Row, Tally>>;
  /** First-token ms of the question turns: the service, the recall-off twin, and service − twin per question. */
  firstToken: { service: Summary; twin: Summary | null; added: Summary | null };
  runtime: { replayS: number; askS: number; totalS: number };
}

function tallies(qs: QuestionRecord[]): Partial<Record<Row, Tally>> {
  const out: Partial<Record<Row, Tally>> = {};
  for (const row of ROWS) {
    if (row === "twin" && !qs.every((q) => q.twin)) continue;
    out[row] = tally(qs.map((q) => ({ category: q.category, hit: (q[row] as { hit: boolean }).hit })));
  }
  return out;
}

export function results(label: string, env: Record<string, string>, runs: ConversationRun[], totalS: number): MemoryResults {
  const all = runs.flatMap((r) => r.questions);
  const service = all.map((q) => q.service.firstMs);
  const twin = all.every((q) => q.twin) && all.length > 0 ? all.map((q) => q.twin!.firstMs) : null;
  return {
    label,
    env,
    conversations: runs.map((r) => ({
      id: r.id,
      turns: r.turns,
      questions: r.questions.length,
      skipped: r.skipped.length,
      tallies: tallies(r.questions),
    })),
    overall: tallies(all),
    firstToken: { service: summarize(service), twin: twin && summarize(twin), added: twin && summarize(pairedDiff(service, twin)) },
    runtime: {
      replayS: runs.reduce((s, r) => s + r.replayMs, 0) / 1000,
      askS: runs.reduce((s, r) => s + r.askMs, 0) / 1000,
      totalS: totalS,
    },
  };
}

const rate = (t: Tally | undefined, c?: Category) => {
  const s = t && (c ? t.byCategory[c] : t.overall);
  return !s || s.n === 0 ? "–" : s.rate.toFixed(2);
};
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "–");

export function rowName(row: Row, label: string): string {
  return {
    service: label === "service" ? "service" : `service (${label})`,
    twin: "service with recall off (RECALL_LIMIT=0, same replay)",
    rag: "plain RAG (BM25 top older half + newest half)",
    recent: "recent window only",
  }[row];
}

/** The printed report. */
export function markdown(r: MemoryResults): string {
  const cats = [1, 2, 3, 4] as Category[];
  const rows = ROWS.filter((row) => r.overall[row]);
  const n = r.overall.service?.overall.n ?? 0;
  const lines = [
    `## LoCoMo evidence in prompt (${r.conversations.map((c) => c.id).join(", ")}; ${n} questions; prompt budget 1,792)`,
    "",
    `| | overall | ${cats.map((c) => `${CATEGORY_NAMES[c]} (${r.overall.service?.byCategory[c].n ?? 0})`).join(" | ")} |`,
    `| --- | --: | ${cats.map(() => "--:").join(" | ")} |`,
    ...rows.map(
      (row) => `| ${rowName(row, r.label)} | **${rate(r.overall[row])}** | ${cats.map((c) => rate(r.overall[row], c)).join(" | ")} |`,
    ),
    "",
    `| conversation | turns | questions | ${rows.map((row) => (row === "service" ? r.label : row === "twin" ? "recall off" : row === "rag" ? "plain RAG" : "recent")).join(" | ")} |`,
    `| --- | --: | --: | ${rows.map(() => "--:").join(" | ")} |`,
    ...r.conversations.map((c) => `| ${c.id} | ${c.turns} | ${c.questions} | ${rows.map((row) => rate(c.tallies[row])).join(" | ")} |`),
    "",
    "Question turn, first token through the service (ms, streaming, hot session):",
    "",
    "| | n | p50 | p99 |",
    "| --- | --: | --: | --: |",
    `| ${r.label} | ${r.firstToken.service.n} | ${ms(r.firstToken.service.p50)} | ${ms(r.firstToken.service.p99)} |`,
  ];
  if (r.firstToken.twin && r.firstToken.added) {
    lines.push(
      `| recall off (twin worker) | ${r.firstToken.twin.n} | ${ms(r.firstToken.twin.p50)} | ${ms(r.firstToken.twin.p99)} |`,
      `| added by recall (service − recall off, paired per question) | ${r.firstToken.added.n} | ${ms(r.firstToken.added.p50)} | ${ms(r.firstToken.added.p99)} |`,
    );
  }
  const env = Object.entries(r.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  lines.push(
    "",
    `Run: replay ${r.runtime.replayS.toFixed(0)} s, questions ${r.runtime.askS.toFixed(0)} s, total ${r.runtime.totalS.toFixed(0)} s.`,
    "",
    "Ablation row (label, worker env overrides, overall, per category):",
    "",
    `| ${r.label} | ${env || "(defaults)"} | ${rate(r.overall.service)} | ${cats.map((c) => rate(r.overall.service, c)).join(" | ")} |`,
  );
  return lines.join("\n");
}
