/**
 * `npx tsx bench/memory/offline.ts [--env RECALL_TUNING=…] [--env LLM_BUDGET_SHARES=…]`:
 * tries retrieval settings on the development split in seconds, without
 * the stack: the service's own prompt assembly (`assemblePrompt`) and
 * lexical retriever over an in-memory index of each replayed conversation
 * (`offline-replay.ts`), every question scored by the same measure.
 * A guide for tuning; the figures that count are `npm run bench:memory`'s.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseShares } from "../../worker/context/shares";
import { parseRecallTuning } from "../../worker/recall/settings";
import { plainRag } from "./baselines";
import { createBm25 } from "./bm25";
import { CATEGORY_NAMES, type Category, loadConversations } from "./locomo";
import { offlineReplay } from "./offline-replay";
import { parseOptions } from "./options";
import { evidenceInPrompt, tally } from "./score";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const options = parseOptions(process.argv.slice(2), process.env);
const settings = parseRecallTuning(options.env.RECALL_TUNING);
const shares = parseShares(options.env.LLM_BUDGET_SHARES);
const limit = options.env.RECALL_LIMIT === undefined ? 64 : Number(options.env.RECALL_LIMIT);
const rows: { category: Category; hit: boolean; rag: boolean; conv: string }[] = [];
const conversations = loadConversations(resolve(root, options.data), options.conversations);
const rag = new Map<string, ReturnType<typeof createBm25>>();

for await (const { conv, question: q, history, prompt } of offlineReplay(conversations, {
  settings,
  shares,
  limit,
  questions: options.questions,
})) {
  const contents = history.map((m) => m.content);
  const bm25 = rag.get(conv.id) ?? rag.set(conv.id, createBm25(contents)).get(conv.id)!;
  rows.push({
    conv: conv.id,
    category: q.category,
    hit: evidenceInPrompt(
      prompt.messages.map((m) => m.content),
      q.evidence,
    ),
    rag: evidenceInPrompt(plainRag(contents, q.text, bm25), q.evidence),
  });
}
const t = tally(rows);
const r = tally(rows.map((x) => ({ category: x.category, hit: x.rag })));
const fmt = (x: ReturnType<typeof tally>) =>
  `${x.overall.rate.toFixed(3)} | ${([1, 2, 3, 4] as Category[]).map((c) => `${CATEGORY_NAMES[c]} ${x.byCategory[c].rate.toFixed(2)}`).join(" | ")}`;
const convs = [...new Set(rows.map((x) => x.conv))];
const per = (hit: (x: (typeof rows)[number]) => boolean) =>
  convs
    .map(
      (c) => `${c} ${tally(rows.filter((x) => x.conv === c).map((x) => ({ category: x.category, hit: hit(x) }))).overall.rate.toFixed(2)}`,
    )
    .join(" | ");
console.log(`offline ${JSON.stringify(options.env)} (${rows.length} questions)\n  service   ${fmt(t)}\n  plain RAG ${fmt(r)}`);
console.log(`  per conversation, service   ${per((x) => x.hit)}\n  per conversation, plain RAG ${per((x) => x.rag)}`);
