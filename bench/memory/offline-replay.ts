/**
 * The offline replay shared by `offline.ts` (the measure in seconds) and
 * `misses.ts` (where missed evidence is lost): each development
 * conversation replayed into memory as the service stores it, and every
 * question of categories 1–4 put through the service's own prompt assembly
 * (`assemblePrompt`) and lexical retriever over an in-memory index
 * (`worker/recall/memory-index.ts`, the same stems and statistics as the
 * session object's FTS5 index). Yields each question with its prompt and
 * what recall returned, in order.
 */
import type { BuiltPrompt } from "../../worker/context/prompt";
import type { Shares } from "../../worker/context/shares";
import type { CharacterSnapshot } from "../../worker/context/system-prompt";
import { countTokens } from "../../worker/context/tokens";
import { newId } from "../../worker/ids";
import { lexicalRetriever } from "../../worker/recall/lexical";
import { memoryIndex } from "../../worker/recall/memory-index";
import type { RecallSettings } from "../../worker/recall/settings";
import type { RecalledTurn, Retriever } from "../../worker/recall/types";
import { assemblePrompt } from "../../worker/session/assemble";
import type { StoredMessage } from "../../worker/session/types";
import { createHot, HOT_LIMIT } from "../../worker/session/window";
import { PROMPT_BUDGET } from "./baselines";
import { type Conversation, type Question, questionsOf, replayTurns } from "./locomo";

export interface OfflineQuestion {
  conv: Conversation;
  question: Question;
  /** The conversation as stored, oldest first (without the question). */
  history: StoredMessage[];
  prompt: BuiltPrompt;
  /** What the retriever returned, best first (before the budget). */
  recalled: RecalledTurn[];
}

export interface OfflineSetup {
  settings: RecallSettings;
  shares: Shares;
  /** RECALL_LIMIT: older turns recall may bring back. */
  limit: number;
  /** Only the first N questions of each conversation. */
  questions?: number;
}

/** The conversation as the service stores it: each replayed turn's user message and reply, a second apart. */
export function storedHistory(conv: Conversation, start: number): StoredMessage[] {
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
  return history;
}

export async function* offlineReplay(convs: readonly Conversation[], o: OfflineSetup): AsyncGenerator<OfflineQuestion> {
  for (const conv of convs) {
    const start = Date.UTC(2024, 0, 1);
    const history = storedHistory(conv, start);
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
    const { questions } = questionsOf(conv);
    for (const q of o.questions ? questions.slice(0, o.questions) : questions) {
      const at = start + (history.length + 10) * 1000;
      const message: StoredMessage = { ...history[0], id: newId(at), content: q.text, tokens: countTokens(q.text), createdAt: at };
      const window = [...history.slice(-HOT_LIMIT), message];
      const hot = createHot(
        { userId: "u", characterId: "c", chat: "main" },
        "s",
        { displayName: conv.speakerA, persona: "" },
        null,
        window,
        "none",
      );
      const parts = { memories: [], summary: null, shares: o.shares, recallLimit: o.limit, recall: o.settings };
      // The service indexes the question once its reply is written, so it is not in the statistics recall reads.
      const inner = lexicalRetriever(memoryIndex(history), o.settings.lexical);
      let recalled: RecalledTurn[] = [];
      const retriever: Retriever = { recall: async (req) => (recalled = await inner.recall(req)) };
      const prompt = await assemblePrompt(hot, character, message, PROMPT_BUDGET, parts, retriever);
      yield { conv, question: q, history, prompt, recalled };
    }
  }
}
