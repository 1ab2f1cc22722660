/**
 * The development LLM's scripted mode, for replaying a recorded
 * conversation (the LoCoMo memory benchmark): a harness queues "for a
 * prompt whose last user message is X, answer Y" through
 * `POST /_debug/script`; every other prompt (a question, a summary request)
 * is answered with `-`, so nothing the model writes carries information.
 * The script lives only in the server: it is never part of a prompt.
 * Scripted answers report no usage. One server is in this mode or not
 * (`DELETE /_debug/script` leaves it), so a harness starts its own.
 */

/** What a prompt without a queued reply is answered with. */
export const UNSCRIPTED_REPLY = "-";

export interface ScriptedReply {
  lastUser: string;
  reply: string;
}

/** Parses `{replies: [{lastUser, reply}…]}`; null when the shape is wrong. */
export function parseScript(body: unknown): ScriptedReply[] | null {
  const raw = (body as { replies?: unknown } | null)?.replies;
  if (!Array.isArray(raw)) return null;
  const out: ScriptedReply[] = [];
  for (const r of raw as unknown[]) {
    const { lastUser, reply } = (r ?? {}) as { lastUser?: unknown; reply?: unknown };
    if (typeof lastUser !== "string" || typeof reply !== "string" || reply.length === 0) return null;
    out.push({ lastUser, reply });
  }
  return out;
}

/** Streamed pieces of a text: one word with the whitespace after it, so they join back to exactly the text. */
export function scriptPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [text];
}

/** The queued replies of one server, per last user message, each answered once and in order. */
export function createScript() {
  let queued: Map<string, string[]> | null = null;
  return {
    get active(): boolean {
      return queued !== null;
    },
    /** Enters scripted mode (if not in it) and queues `replies`; returns how many wait. */
    add(replies: ScriptedReply[]): number {
      queued ??= new Map();
      for (const r of replies) queued.set(r.lastUser, [...(queued.get(r.lastUser) ?? []), r.reply]);
      return this.pending();
    },
    /** The reply for a prompt with this last user message; `-` when none is queued. */
    take(lastUser: string): string {
      const list = queued?.get(lastUser);
      const reply = list?.shift();
      if (list && list.length === 0) queued?.delete(lastUser);
      return reply ?? UNSCRIPTED_REPLY;
    },
    pending(): number {
      let n = 0;
      for (const list of queued?.values() ?? []) n += list.length;
      return n;
    },
    /** Leaves scripted mode. */
    clear(): void {
      queued = null;
    },
  };
}
