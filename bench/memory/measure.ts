/**
 * One conversation, measured: replay it, then for each question (or the
 * first N) ask it on the service, score the prompt, and score the two
 * baselines on the same history. With a twin (a second worker with recall
 * off, the same conversation replayed into it) each question is asked there
 * too, just before the service, so first-token times are paired under the
 * same load.
 */
import { PROMPT_BUDGET, plainRag, recentWindow } from "./baselines";
import { createBm25 } from "./bm25";
import { type Category, type Conversation, questionsOf } from "./locomo";
import { type Asked, type Asker, ask, type LogCursor, type Replayed, replay, type Target } from "./replay";
import { evidenceFound, evidenceInPrompt } from "./score";

export interface Scored {
  hit: boolean;
  /** Evidence lines that reached the prompt (the measure needs all of them). */
  found: number;
}

export interface ServiceScored extends Scored {
  firstMs: number;
  /** Evidence lines found only in the system message (recalled, pinned or summarised), not in the recent turns. */
  viaSystem: number;
}

export interface QuestionRecord {
  index: number;
  category: Category;
  evidence: number;
  unresolved: number;
  /** How many messages back from the end of the history the oldest evidence line is. */
  oldestBack: number;
  service: ServiceScored;
  twin?: ServiceScored;
  recent: Scored;
  rag: Scored;
}

export interface ConversationRun {
  id: string;
  turns: number;
  messages: number;
  skipped: number[];
  replayMs: number;
  askMs: number;
  questions: QuestionRecord[];
}

export interface MeasureOptions {
  main: Target;
  /** A worker with recall off: the same replay, paired first-token times. */
  twin?: Target;
  log: LogCursor;
  /** Ask only the first N questions. */
  limit?: number;
  progress?: (msg: string) => void;
}

function scoreService(asked: Asked, evidence: string[]): ServiceScored {
  const all = [...asked.system, ...asked.turns];
  const inTurns = evidenceFound(asked.turns, evidence);
  return {
    hit: evidenceInPrompt(all, evidence),
    found: evidenceFound(all, evidence),
    firstMs: asked.firstMs,
    viaSystem: evidenceFound(all, evidence) - inTurns,
  };
}

function oldestBack(history: string[], evidence: string[]): number {
  let back = -1;
  for (const line of evidence) {
    for (let i = history.length - 1; i >= 0; i--)
      if (history[i].includes(line)) {
        back = Math.max(back, history.length - i);
        break;
      }
  }
  return back;
}

export async function measureConversation(conv: Conversation, opts: MeasureOptions): Promise<ConversationRun> {
  const log = opts.progress ?? (() => {});
  const t0 = performance.now();
  const replayed = await replay(opts.main, conv, (done, of) => {
    if (done % 100 === 0 || done === of) log(`${conv.id}: replayed ${done}/${of} turns`);
  });
  const twinReplayed = opts.twin ? await replay(opts.twin, conv) : undefined;
  if (twinReplayed && twinReplayed.history.join("\n") !== replayed.history.join("\n"))
    throw new Error(`${conv.id}: the twin's replay differs`);
  const replayMs = performance.now() - t0;
  const { questions: all, skipped } = questionsOf(conv);
  const questions = opts.limit === undefined ? all : all.slice(0, opts.limit);
  const index = createBm25(replayed.history);
  const asker = (target: Target, r: Replayed): Asker => ({ base: target.base, pair: r.pair, lastId: r.lastId, log: opts.log });
  const main = asker(opts.main, replayed);
  const twin = opts.twin && twinReplayed ? asker(opts.twin, twinReplayed) : undefined;

  const t1 = performance.now();
  const records: QuestionRecord[] = [];
  if (questions.length > 0) {
    // One unmeasured question each, so the first measured one is not the first after the replay.
    if (twin) await ask(twin, questions[0].text);
    await ask(main, questions[0].text);
  }
  for (const q of questions) {
    const twinAsked = twin ? await ask(twin, q.text) : undefined;
    const asked = await ask(main, q.text);
    const score = (contents: string[]): Scored => ({
      hit: evidenceInPrompt(contents, q.evidence),
      found: evidenceFound(contents, q.evidence),
    });
    records.push({
      index: q.index,
      category: q.category,
      evidence: q.evidence.length,
      unresolved: q.unresolved.length,
      oldestBack: oldestBack(replayed.history, q.evidence),
      service: scoreService(asked, q.evidence),
      ...(twinAsked ? { twin: scoreService(twinAsked, q.evidence) } : {}),
      recent: score(recentWindow(replayed.history, q.text, PROMPT_BUDGET)),
      rag: score(plainRag(replayed.history, q.text, index, PROMPT_BUDGET)),
    });
    if (records.length % 50 === 0) log(`${conv.id}: asked ${records.length}/${questions.length} questions`);
  }
  return {
    id: conv.id,
    turns: replayed.history.length / 2,
    messages: replayed.history.length,
    skipped,
    replayMs,
    askMs: performance.now() - t1,
    questions: records,
  };
}
