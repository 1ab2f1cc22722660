/**
 * Follows one turn's server-sent events into the chat state. A reply outlives
 * the connection on the server, so a stream that drops before `done` or
 * `error` is reattached from its last event id instead of being lost. One
 * stream at a time feeds the draft: following another tab's reply while one
 * is already followed is a no-op.
 */
import * as api from "./api";
import { type ChatRef, resumeStream } from "./chat-api";
import type { ChatState } from "./chat-state";
import { asFailure, describe, retryable } from "./errors";

export interface Turn {
  /** Id of the optimistic user message that the turn's `message` event replaces. */
  localId?: string;
  /** Tries the turn again after a failure. */
  retry: () => void;
  /** Puts back what the turn removed (or the typed text), when it never started. */
  restore?: () => void;
}

const RESUME_TRIES = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function* nothing(): AsyncGenerator<never> {}

export function createTurnRunner(ref: ChatRef, state: ChatState, signal: AbortSignal) {
  /** Streams feeding the draft right now (a send, or following a reply). */
  let active = 0;

  /** Applies a stream's events; "dropped" when it ended without done or error. */
  async function consume(events: api.TurnStream, turn: Turn, cursor: { last: string | null }): Promise<"done" | "error" | "dropped"> {
    for await (const e of events) {
      if (e.id) cursor.last = e.id;
      if (e.event === "message") state.upsert(e.data.message, turn.localId);
      else if (e.event === "token") {
        state.setPhase((p) => (p === "stopping" ? p : "streaming"));
        state.setDraft((d) => (d ?? "") + e.data.text);
      } else {
        state.setDraft(null);
        state.upsert(e.event === "done" ? e.data.message : e.data.partial);
        if (e.event === "done") return "done";
        const f = new api.ApiFailure(0, e.data.code, e.data.message);
        state.setError({ message: describe(f), retry: retryable(f) ? turn.retry : undefined });
        return "error";
      }
    }
    return "dropped";
  }

  /** Runs a turn: opens its stream, follows it, reattaches if the connection drops. */
  async function run(open: () => Promise<api.TurnStream | null>, turn: Turn, visible = true): Promise<void> {
    // A quiet run (resume) shows nothing until a token proves a reply is in flight.
    if (visible) {
      state.setError(null);
      state.setPhase("sending");
    }
    const cursor = { last: null as string | null };
    active++;
    try {
      let events = await open();
      for (let attempt = 1; events; attempt++) {
        const outcome = await consume(events, turn, cursor).catch(() => "dropped" as const);
        if (outcome !== "dropped" || signal.aborted) break;
        if (attempt > RESUME_TRIES) throw new api.ApiFailure(0, "connection_lost", "");
        await sleep(300 * attempt);
        if (cursor.last === null) state.setDraft(null);
        events = await resumeStream(ref, cursor.last, signal).catch(() => nothing());
      }
    } catch (err) {
      if (signal.aborted) return;
      const f = asFailure(err);
      turn.restore?.();
      const retry = f.code === "connection_lost" ? () => void resume(turn.retry) : retryable(f) ? turn.retry : undefined;
      state.setError({ message: describe(f), retry });
      // Another tab's reply is streaming: follow it here too (once this run has let go).
      if (f.code === "turn_in_progress") setTimeout(() => void resume(turn.retry), 0);
    } finally {
      active--;
      if (!signal.aborted && active === 0) {
        state.setDraft(null);
        state.setPhase("idle");
      }
    }
  }

  /** Follows the reply in flight, if any, from its first token (after a reload, or another tab's send). */
  const resume = async (retry: () => void) => {
    if (active > 0) return;
    await run(() => resumeStream(ref, null, signal), { retry }, false);
  };

  return { run, resume, busy: () => active > 0 };
}
