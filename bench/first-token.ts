/**
 * First-token probes for the two stream formats, both built on the worker's
 * own incremental SSE parser so each path pays the same client-side cost:
 * the service's `event: token` frame, and an OpenAI chunk whose
 * `delta.content` is non-empty.
 */
import { choiceText, DONE } from "../worker/shared/openai";
import { createSseParser, type SseEvent } from "../worker/shared/sse";
import { readTurnEvent } from "../worker/shared/turn-events";
import type { Probe } from "./http-client";

function probeFor(isToken: (ev: SseEvent) => boolean): Probe {
  const parser = createSseParser();
  return { push: (text) => parser.push(text).some(isToken) };
}

/** The service's SSE: the first `event: token` frame with text. */
export function serviceFirstToken(): Probe {
  return probeFor((ev) => {
    const turn = ev.event === "token" ? readTurnEvent(ev) : null;
    return turn?.event === "token" && turn.data.text.length > 0;
  });
}

/** An OpenAI chat completions stream: the first chunk carrying content. */
export function openaiFirstToken(): Probe {
  return probeFor((ev) => {
    if (ev.data === DONE) return false;
    const choices = (JSON.parse(ev.data) as { choices?: unknown }).choices;
    return choiceText(Array.isArray(choices) ? choices[0] : undefined).length > 0;
  });
}
