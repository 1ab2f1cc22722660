/**
 * What the development LLM says and how it misbehaves on request: the reply
 * is a pure function of the last user message, and `[[name:value]]` markers
 * (knobs) make one request slow, fail, cut, stall or go silent. Pure.
 */

/** Per-request behaviour switches, read from `[[name:value]]` markers. */
export interface DevKnobs {
  /** Milliseconds before the first word (a streamed answer's headers and role chunk go first). */
  delay?: number;
  /** Milliseconds before anything at all, headers included: a server that accepted and says nothing. */
  hold?: number;
  fail?: number;
  failCode?: string;
  retryAfter?: number;
  flaky?: number;
  flakyStatus?: number;
  cut?: number;
  stall?: number;
  /** A streamed answer that is headers and nothing else. */
  empty?: number;
  long?: number;
  gap?: number;
}

/** Marker that tells every reader which model answered. */
export const DEV_MODEL_PREFIX = "[development model]";
const ECHO_WORDS = 30;
const KNOB_RE = /\[\[([a-z_-]+):([^\]]*)\]\]/gi;
const FILLER = "this is filler text from the development model used to make a long reply".split(" ");

type NumericKnob = "delay" | "hold" | "cut" | "stall" | "empty" | "long" | "gap" | "retryAfter";
const NUMERIC_KNOBS: Record<string, NumericKnob> = {
  delay: "delay",
  hold: "hold",
  cut: "cut",
  stall: "stall",
  empty: "empty",
  long: "long",
  gap: "gap",
  retry_after: "retryAfter",
};

/** Reads `[[name:value]]` markers; unknown names and bad numbers are ignored, a later marker wins. */
export function parseKnobs(text: string): DevKnobs {
  const knobs: DevKnobs = {};
  for (const [, rawName, value] of text.matchAll(KNOB_RE)) {
    const name = rawName.toLowerCase().replaceAll("-", "_");
    const [first, second] = value.split(":");
    const n = Number(first);
    if (name === "fail" && Number.isInteger(n)) {
      knobs.fail = n;
      if (second) knobs.failCode = second;
    } else if (name === "flaky" && Number.isInteger(n)) {
      knobs.flaky = n;
      const status = Number(second);
      if (Number.isInteger(status) && status >= 400) knobs.flakyStatus = status;
    } else if (name in NUMERIC_KNOBS && Number.isFinite(n) && n >= 0) {
      knobs[NUMERIC_KNOBS[name]] = n;
    }
  }
  return knobs;
}

/** The reply's words for a last user message: a pure function of its inputs. */
export function devReplyWords(lastUser: string, knobs: DevKnobs = {}): string[] {
  const prefix = DEV_MODEL_PREFIX.split(" ");
  if (knobs.long !== undefined) {
    const words = [...prefix];
    while (words.length < knobs.long) words.push(FILLER[(words.length - prefix.length) % FILLER.length]);
    return words;
  }
  const said = lastUser.replace(KNOB_RE, " ").split(/\s+/).filter(Boolean);
  const echo =
    said.length === 0
      ? "You said nothing."
      : `You said: "${said.slice(0, ECHO_WORDS).join(" ")}${said.length > ECHO_WORDS ? " …" : ""}" ` +
        `(${said.length} ${said.length === 1 ? "word" : "words"}).`;
  const tail =
    "I am the built-in development model, a deterministic stand-in for a real LLM. " + "Set LLM_BASE_URL to talk to a real model.";
  return `${DEV_MODEL_PREFIX} ${echo} ${tail}`.split(" ");
}

/** The words as streamed: each but the last carries its following space. */
export function devReplyPieces(words: string[]): string[] {
  return words.map((w, i) => (i < words.length - 1 ? `${w} ` : w));
}
