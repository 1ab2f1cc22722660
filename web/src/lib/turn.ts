/**
 * Follows one turn's server-sent events into the chat state. A reply outlives
 * the connection on the server, so a stream that drops before `done` or
 * `error` is reattached from its last event id instead of being lost.
 */
import * as api from "./api";
import type { ChatState } from "./chat-state";
import { asFailure, describe } from "./errors";

export interface Turn {
  /** Id of the optimistic user message that the turn's `message` event replaces. */
  localId?: string;
  /** Tries the turn again after a failure. */
  retry: () => void;
  /** Puts back what the turn removed, when it never started. */
  restore?: () => void;
}

const RESUME_TRIES = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function* nothing(): AsyncGenerator<never> {}

export function createTurnRunner(characterId: string, state: ChatState, signal: AbortSignal) {
  let lastEventId: string | null = null;

  /** Applies a stream's events; "dropped" when it ended without done or error. */
  async function consume(events: api.TurnStream, turn: Turn): Promise<"done" | "error" | "dropped"> {
    for await (const e of events) {
      if (e.id) lastEventId = e.id;
      if (e.event === "message") state.upsert(e.data.message, turn.localId);
      else if (e.event === "token") {
        state.setPhase((p) => (p === "stopping" ? p : "streaming"));
        state.setDraft((d) => (d ?? "") + e.data.text);
      } else {
        state.setDraft(null);
        state.upsert(e.event === "done" ? e.data.message : e.data.partial);
        if (e.event === "done") return "done";
        state.setError({ message: describe(new api.ApiFailure(0, e.data.code, e.data.message)), retry: turn.retry });
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
    lastEventId = null;
    try {
      let events = await open();
      for (let attempt = 1; events; attempt++) {
        const outcome = await consume(events, turn).catch(() => "dropped" as const);
        if (outcome !== "dropped" || signal.aborted) break;
        if (attempt > RESUME_TRIES) throw new api.ApiFailure(0, "connection_lost", "");
        await sleep(300 * attempt);
        if (lastEventId === null) state.setDraft(null);
        events = await api.resumeStream(characterId, lastEventId, signal).catch(() => nothing());
      }
    } catch (err) {
      if (signal.aborted) return;
      const f = asFailure(err);
      turn.restore?.();
      state.setError({ message: describe(f), retry: f.code === "connection_lost" ? () => void resume(turn.retry) : turn.retry });
      // Another tab's reply is streaming: follow it here too.
      if (f.code === "turn_in_progress") queueMicrotask(() => void resume(turn.retry));
    } finally {
      if (!signal.aborted) {
        state.setDraft(null);
        state.setPhase("idle");
      }
    }
  }

  /** Follows the reply in flight, if any, from its first token (after a reload). */
  const resume = (retry: () => void) => run(() => api.resumeStream(characterId, null, signal), { retry }, false);

  return { run, resume };
}
