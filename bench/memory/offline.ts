/**
 * `npx tsx bench/memory/offline.ts [--env RECALL_TUNING=…] [--env LLM_BUDGET_SHARES=…]`:
 * tries retrieval settings on the development split in seconds, without
 * the stack: the service's own prompt assembly (`assemblePrompt`) and
 * lexical retriever over an in-memory index of each replayed conversation
 * (`worker/recall/memory-index.ts`, the same stems and statistics as the
 * session object's FTS5 index), every question scored by the same measure.
 * A guide for tuning; the figures that count are `npm run bench:memory`'s.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseShares } from "../../worker/context/shares";
import type { CharacterSnapshot } from "../../worker/context/system-prompt";
import { countTokens } from "../../worker/context/tokens";
import { newId } from "../../worker/ids";
import { lexicalRetriever } from "../../worker/recall/lexical";
import { memoryIndex } from "../../worker/recall/memory-index";
import { parseRecallTuning } from "../../worker/recall/settings";
import { assemblePrompt } from "../../worker/session/assemble";
import type { StoredMessage } from "../../worker/session/types";
import { createHot, HOT_LIMIT } from "../../worker/session/window";
import { PROMPT_BUDGET, plainRag } from "./baselines";
import { createBm25 } from "./bm25";
import { CATEGORY_NAMES, type Category, loadConversations, questionsOf, replayTurns } from "./locomo";
import { parseOptions } from "./options";
import { evidenceInPrompt, tally } from "./score";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const options = parseOptions(process.argv.slice(2), process.env);
const settings = parseRecallTuning(options.env.RECALL_TUNING);
const shares = parseShares(options.env.LLM_BUDGET_SHARES);
const limit = options.env.RECALL_LIMIT === undefined ? 64 : Number(options.env.RECALL_LIMIT);
const rows: { category: Category; hit: boolean; rag: boolean; conv: string }[] = [];

for (const conv of loadConversations(resolve(root, options.data), options.conversations)) {
  const start = Date.UTC(2024, 0, 1);
  const history: StoredMessage[] = [];
  const add = (role: StoredMessage["role"], content: string) => {
    const at = start + history.length * 1000;
    history.push({
      id: newId(at),
      chat: "main",
      role,
      content,
      status: "complete",
      tokens: countTokens(content),
      clientId: null,
      parentId: null,
      active: true,
      createdAt: at,
    });
  };
  for (const t of replayTurns(conv)) {
    add("user", t.user);
    add("assistant", t.reply ?? "-");
  }
  const character = {
    id: "c",
    name: conv.speakerB,
    description: "",
    greeting: "",
    scenario: "",
    exampleDialogues: "",
    model: null,
    updatedAt: "",
    visibility: "private",
    creatorId: "u",
  } satisfies CharacterSnapshot;
  const bm25 = createBm25(history.map((m) => m.content));
  const { questions } = questionsOf(conv);
  for (const q of options.questions ? questions.slice(0, options.questions) : questions) {
    const at = start + (history.length + 10) * 1000;
    const question: StoredMessage = { ...history[0], id: newId(at), content: q.text, tokens: countTokens(q.text), createdAt: at };
    const window = [...history.slice(-HOT_LIMIT), question];
    const hot = createHot(
      { userId: "u", characterId: "c", chat: "main" },
      "s",
      { displayName: conv.speakerA, persona: "" },
      null,
      window,
      "none",
    );
    const parts = { memories: [], summary: null, shares, recallLimit: limit, recall: settings };
    // The service has stored (and indexed) the question before it recalls for it, so it counts in the statistics here too.
    const retriever = lexicalRetriever(memoryIndex([...history, question]), settings.lexical);
    const prompt = await assemblePrompt(hot, character, question, PROMPT_BUDGET, parts, retriever);
    const contents = prompt.messages.map((m) => m.content);
    rows.push({
      conv: conv.id,
      category: q.category,
      hit: evidenceInPrompt(contents, q.evidence),
      rag: evidenceInPrompt(
        plainRag(
          history.map((m) => m.content),
          q.text,
          bm25,
        ),
        q.evidence,
      ),
    });
  }
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
