/**
 * `npx tsx bench/memory/misses.ts [--category 1] [--env RECALL_TUNING=…]`:
 * where the evidence lines of missed questions are lost, offline
 * (`offline-replay.ts`). Each missing line is one of: recalled but cut by
 * the section's budget (and at what rank), never recalled though it shares
 * a word with the question, never recalled though a turn beside it does,
 * or sharing no word with the question or its neighbours (the lexical gap).
 * For each, its rank in an unbounded ranking (every candidate, no limit)
 * says whether a better order could reach it at all. Prints counts only: no
 * question text, answer or evidence.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseShares } from "../../worker/context/shares";
import { lexicalRetriever } from "../../worker/recall/lexical";
import { memoryIndex } from "../../worker/recall/memory-index";
import { parseRecallTuning } from "../../worker/recall/settings";
import { stemsOf } from "../../worker/recall/words";
import { CATEGORY_NAMES, type Category, loadConversations } from "./locomo";
import { offlineReplay } from "./offline-replay";
import { parseOptions } from "./options";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const at = args.indexOf("--category");
const categories = at >= 0 ? args.splice(at, 2)[1].split(",").map(Number) : [1, 2, 3, 4];
const options = parseOptions(args, process.env);
const settings = parseRecallTuning(options.env.RECALL_TUNING);
const shares = parseShares(options.env.LLM_BUDGET_SHARES);
const limit = options.env.RECALL_LIMIT === undefined ? 64 : Number(options.env.RECALL_LIMIT);
const unbounded = { ...settings.lexical, candidates: 1_000_000, postingBudget: 1_000_000 };

const counts = new Map<string, number>();
const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
const bucket = (rank: number) => (rank < 0 ? "unranked" : rank < 30 ? "<30" : rank < 60 ? "30–59" : rank < 120 ? "60–119" : "120+");
const conversations = loadConversations(resolve(root, options.data), options.conversations);

for await (const { conv, question: q, history, prompt, recalled } of offlineReplay(conversations, { settings, shares, limit })) {
  if (!categories.includes(q.category)) continue;
  const contents = prompt.messages.map((m) => m.content);
  const missing = q.evidence.filter((line) => !contents.some((c) => c.includes(line)));
  bump(`questions: ${missing.length === 0 ? "hit" : "missed"}`);
  if (missing.length === 0) continue;
  bump(`missed questions: ${missing.length >= 3 ? "3 or more" : missing.length} evidence line(s) missing`);
  const question = history.find((m) => m.id === prompt.ledger.included.find((i) => i.source === "new")?.id);
  const words = new Set(stemsOf(q.text));
  const shares = (i: number) => history[i] !== undefined && stemsOf(history[i].content).some((s) => words.has(s));
  // Every candidate, no limit: the best any order of the same scores could do.
  const all = await lexicalRetriever(memoryIndex([...history, ...(question ? [question] : [])]), unbounded).recall({
    message: { id: question?.id ?? "~", role: "user", content: q.text },
    context: history.slice(-4).reverse(),
    before: prompt.ledger.included.find((i) => i.source === "recent")?.id ?? question?.id ?? "~",
    limit: 1_000_000,
    names: { user: conv.speakerA, character: conv.speakerB },
  });
  for (const line of missing) {
    const i = history.findIndex((m) => m.content.includes(line));
    if (i < 0) continue;
    const id = history[i].id;
    const rank = recalled.findIndex((r) => r.id === id);
    const kind =
      rank >= 0
        ? `recalled, cut by the budget (rank ${bucket(rank)})`
        : shares(i)
          ? "shares a word, not recalled"
          : [-2, -1, 1, 2].some((d) => shares(i + d))
            ? "a turn beside it shares a word, not recalled"
            : "no word shared with it or its neighbours";
    bump(`missing lines: ${kind}`);
    bump(`missing lines, unbounded rank: ${bucket(all.findIndex((r) => r.id === id))}`);
  }
}
console.log(`misses offline ${JSON.stringify(options.env)}, ${categories.map((c) => CATEGORY_NAMES[c as Category]).join(", ")}`);
for (const [k, v] of [...counts.entries()].sort()) console.log(`  ${k}: ${v}`);
