/**
 * LoCoMo conversations as the replay protocol sees them (the data
 * directory's README): sessions in order, turns (speaker A's consecutive
 * lines as the user message, speaker B's following lines as the scripted
 * reply), the date prefix and caption rules, and the questions of
 * categories 1–4 with their evidence lines. Pure except `loadConversations`,
 * which reads the files at run time: no question, answer or evidence id
 * lives in code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface LocomoLine {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}

export interface Session {
  n: number;
  date: string;
  lines: LocomoLine[];
}

export interface Conversation {
  id: string;
  speakerA: string;
  speakerB: string;
  sessions: Session[];
  qa: { question: string; evidence: string[]; category: number }[];
}

/** One replayed turn: the user message and the scripted reply (null: the LLM answers `-`). */
export interface ReplayTurn {
  user: string;
  reply: string | null;
}

export type Category = 1 | 2 | 3 | 4;
export const CATEGORY_NAMES: Record<Category, string> = { 1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop" };

export interface Question {
  /** Position in the file's `qa` list. */
  index: number;
  text: string;
  category: Category;
  /** The evidence lines' full texts, as the prompt must hold them. */
  evidence: string[];
  /** Evidence ids that name no line of the conversation (dropped). */
  unresolved: string[];
}

export const OPENS_WITH_B = "(listens)";

/** A line as it is replayed and as evidence must appear: its text, and ` [shares <caption>]` when it has one. */
export function lineText(line: LocomoLine): string {
  return line.blip_caption ? `${line.text} [shares ${line.blip_caption}]` : line.text;
}

/** Splits a session into runs of one speaker's consecutive lines. */
function runs(lines: LocomoLine[]): LocomoLine[][] {
  const out: LocomoLine[][] = [];
  for (const line of lines) {
    const last = out.at(-1);
    if (last && last[0].speaker === line.speaker) last.push(line);
    else out.push([line]);
  }
  return out;
}

const joined = (lines: LocomoLine[]) => lines.map(lineText).join("\n");

/** The turns of the whole conversation in order; each session's first user message carries `[<date>] `. */
export function replayTurns(conv: Conversation): ReplayTurn[] {
  const turns: ReplayTurn[] = [];
  for (const session of conv.sessions) {
    const rs = runs(session.lines);
    for (const r of rs) {
      if (r[0].speaker !== conv.speakerA && r[0].speaker !== conv.speakerB)
        throw new Error(`${conv.id}: line ${r[0].dia_id} is spoken by neither speaker`);
    }
    let i = 0;
    let first = true;
    const prefix = () => (first ? `[${session.date}] ` : "");
    if (rs[0]?.[0].speaker === conv.speakerB) {
      turns.push({ user: `${prefix()}${OPENS_WITH_B}`, reply: joined(rs[0]) });
      first = false;
      i = 1;
    }
    for (; i < rs.length; i += 2) {
      const b = rs[i + 1];
      turns.push({ user: `${prefix()}${joined(rs[i])}`, reply: b ? joined(b) : null });
      first = false;
    }
  }
  return turns;
}

/**
 * Evidence ids as the data writes them, normalised: an entry may hold several
 * ids (`;`, `,` or spaces between) and a stray colon after the `D`.
 */
export function evidenceIds(raw: readonly string[]): string[] {
  const ids: string[] = [];
  for (const entry of raw)
    for (const part of entry.split(/[;,\s]+/).filter(Boolean)) {
      const m = /^D:?(\d+):(\d+)$/.exec(part);
      ids.push(m ? `D${m[1]}:${m[2]}` : part);
    }
  return [...new Set(ids)];
}

/**
 * The questions of categories 1–4 with their evidence texts. Ids that name
 * no line are dropped (and counted); a question left without evidence
 * cannot be scored and is returned in `skipped`.
 */
export function questionsOf(conv: Conversation): { questions: Question[]; skipped: number[] } {
  const byId = new Map<string, LocomoLine>();
  for (const s of conv.sessions) for (const l of s.lines) byId.set(l.dia_id, l);
  const questions: Question[] = [];
  const skipped: number[] = [];
  conv.qa.forEach((qa, index) => {
    if (![1, 2, 3, 4].includes(qa.category)) return;
    const ids = evidenceIds(qa.evidence);
    const lines = ids.flatMap((id) => byId.get(id) ?? []);
    if (lines.length === 0) {
      skipped.push(index);
      return;
    }
    questions.push({
      index,
      text: qa.question,
      category: qa.category as Category,
      evidence: [...new Set(lines.map(lineText))],
      unresolved: ids.filter((id) => !byId.has(id)),
    });
  });
  return { questions, skipped };
}

/** Checks the file's shape and orders its sessions by number. */
export function parseConversation(id: string, raw: unknown): Conversation {
  const d = raw as Record<string, unknown>;
  if (typeof d?.speaker_a !== "string" || typeof d.speaker_b !== "string" || !Array.isArray(d.qa))
    throw new Error(`${id}: not a LoCoMo conversation (speaker_a, speaker_b, qa)`);
  const sessions: Session[] = [];
  for (const [key, value] of Object.entries(d)) {
    const m = /^session_(\d+)$/.exec(key);
    if (!m || !Array.isArray(value)) continue;
    const n = Number(m[1]);
    const date = d[`session_${n}_date_time`];
    if (typeof date !== "string") throw new Error(`${id}: session ${n} has no date_time`);
    for (const l of value as LocomoLine[])
      if (typeof l?.speaker !== "string" || typeof l.dia_id !== "string" || typeof l.text !== "string")
        throw new Error(`${id}: malformed line in session ${n}`);
    sessions.push({ n, date, lines: value as LocomoLine[] });
  }
  sessions.sort((a, b) => a.n - b.n);
  return { id, speakerA: d.speaker_a, speakerB: d.speaker_b, sessions, qa: d.qa as Conversation["qa"] };
}

/** The conversations in `dir` (`conv-*.json`), or only those whose id is in `only` (`26` or `conv-26`). */
export function loadConversations(dir: string, only: string[] = []): Conversation[] {
  const wanted = new Set(only.map((o) => (o.startsWith("conv-") ? o : `conv-${o}`)));
  const files = readdirSync(dir)
    .filter((f) => /^conv-.+\.json$/.test(f))
    .sort();
  const picked = files.filter((f) => wanted.size === 0 || wanted.has(f.replace(/\.json$/, "")));
  if (picked.length === 0) throw new Error(`no conversation files${only.length ? ` matching ${only.join(", ")}` : ""} in ${dir}`);
  return picked.map((f) => parseConversation(f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(dir, f), "utf8"))));
}
