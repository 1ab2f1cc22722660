/**
 * The protocol's two halves through the public API: replay a conversation
 * (every turn's reply queued in the scripted LLM first, and checked to be
 * exactly what came back), and ask a question as a new turn: read the
 * prompt the LLM received, check it answered `-`, rewind the question away
 * and check that nothing of it is left.
 */
import { UNSCRIPTED_REPLY } from "../../dev/dev-llm-script";
import { openPair, type Pair, rewind, turnJson, turnStream } from "./api";
import { type Conversation, replayTurns } from "./locomo";
import { promptFor, promptsAfter, scriptReply } from "./scripted-llm";

/** A running service and the scripted development LLM behind it. */
export interface Target {
  base: string;
  llm: string;
}

export interface Replayed {
  pair: Pair;
  /** The conversation's messages as the service stored them, oldest first (user, reply, user, reply…). */
  history: string[];
  /** The newest message after the replay: questions are rewound to it. */
  lastId: string;
}

/** Replays every turn of `conv` into a new (user, character) pair. */
export async function replay(target: Target, conv: Conversation, onTurn?: (done: number, of: number) => void): Promise<Replayed> {
  const pair = await openPair(target.base, conv.speakerA, conv.speakerB);
  const turns = replayTurns(conv);
  const history: string[] = [];
  let lastId = "";
  for (const [i, turn] of turns.entries()) {
    if (turn.reply !== null) await scriptReply(target.llm, turn.user, turn.reply);
    const r = await turnJson(target.base, pair, turn.user);
    const expected = turn.reply ?? UNSCRIPTED_REPLY;
    if (r.reply !== expected) throw new Error(`${conv.id}: turn ${i} came back as ${JSON.stringify(r.reply.slice(0, 80))}, not its script`);
    history.push(turn.user, r.reply);
    lastId = r.replyId;
    onTurn?.(i + 1, turns.length);
  }
  return { pair, history, lastId };
}

/** The development LLM's request log, read from where the last reader stopped (shared by every asker of one LLM). */
export interface LogCursor {
  llm: string;
  seq: number;
}

/** Asks questions on one stack, each rewound to `lastId` afterwards. */
export interface Asker {
  base: string;
  pair: Pair;
  lastId: string;
  log: LogCursor;
  previous?: string;
}

export interface Asked {
  /** The system message(s) of the prompt the LLM received (sheet, memories, summary, recalled turns). */
  system: string[];
  /** Its other messages: the recent turns and the question. */
  turns: string[];
  firstMs: number;
}

/** One question as a new turn: its prompt, its first-token time; afterwards the history is as it was. */
export async function ask(asker: Asker, text: string): Promise<Asked> {
  const r = await turnStream(asker.base, asker.pair, text);
  if (r.reply !== UNSCRIPTED_REPLY) throw new Error(`a question was answered ${JSON.stringify(r.reply.slice(0, 80))}, not "-"`);
  const { total, prompts } = await promptsAfter(asker.log.llm, asker.log.seq);
  asker.log.seq = total;
  const prompt = promptFor(prompts, text);
  const earlier = prompt.messages.slice(0, -1);
  if (asker.previous !== undefined && asker.previous !== text && earlier.some((m) => m.content.includes(asker.previous!)))
    throw new Error("the previous question is still in the prompt after its rewind");
  const left = await rewind(asker.base, asker.pair, asker.lastId);
  if (left !== asker.lastId) throw new Error(`rewind left ${left} as the newest message, not ${asker.lastId}`);
  asker.previous = text;
  if (r.firstMs === null) throw new Error("a question's reply had no token");
  return {
    system: prompt.messages.filter((m) => m.role === "system").map((m) => m.content),
    turns: prompt.messages.filter((m) => m.role !== "system").map((m) => m.content),
    firstMs: r.firstMs,
  };
}
