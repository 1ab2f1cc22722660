/**
 * Server-Sent Events (the WHATWG "event stream" format), both directions:
 * the one incremental parser that every reader of a stream uses (the
 * worker's LLM client, the web client, the gateway's meter, the tests) and
 * the one frame writer. Pure: no I/O. The parser sits on the LLM streaming
 * hot path, so it scans with indexOf and charCodeAt instead of splitting or
 * regex-matching chunks (bench/sse-parser.ts measures it against the
 * `eventsource-parser` package).
 */

/**
 * One dispatched event. `event` is undefined for an unnamed event (a browser
 * would call it "message"); `id` is set only when the event's own block had
 * an `id:` line. Keeping the last id across events is the reader's job.
 */
export interface SseEvent {
  data: string;
  event?: string;
  id?: string;
}

/** A stateful parser; one per stream. */
export interface SseParser {
  /** Feeds the next piece of decoded text; returns the events it completed (often none). */
  push(text: string): readonly SseEvent[];
  /**
   * The stream has ended: returns the event still open, if it has data. The
   * spec drops such an event; a reader that would rather see it (a body cut
   * right after its last data line) asks for it here.
   */
  flush(): readonly SseEvent[];
}

const LF = 10;
const COLON = 58;
const SPACE = 32;
const NONE: readonly SseEvent[] = Object.freeze([]);

/** `data:` at `at`, the one field on the hot path. */
const isData = (s: string, at: number): boolean =>
  s.charCodeAt(at) === 100 && s.charCodeAt(at + 1) === 97 && s.charCodeAt(at + 2) === 116 && s.charCodeAt(at + 3) === 97;

/**
 * Creates a parser. Lines may end in `\n`, `\r\n` or `\r`, even when a pair
 * is split across chunks. Comments (`:` lines), `retry:` and unknown fields
 * are ignored; one leading byte order mark is dropped. An event not yet
 * closed by a blank line is held until it is (or until {@link SseParser.flush}).
 * A line that arrives in many pieces is joined once, not once per piece.
 */
export function createSseParser(): SseParser {
  let pieces: string[] = []; // an unfinished line, in the pieces it came in
  let skipLf = false; // the last chunk ended in "\r": a leading "\n" belongs to it
  let started = false;
  let data = "";
  let lines = 0;
  let event: string | undefined;
  let id: string | undefined;
  let out: SseEvent[] | null = null;

  const dispatch = (): void => {
    if (lines > 0) (out ??= []).push({ data, event, id });
    data = "";
    lines = 0;
    event = undefined;
    id = undefined;
  };

  /** One line, `text[start, end)`. */
  const line = (text: string, start: number, end: number): void => {
    if (start === end) {
      dispatch();
      return;
    }
    if (isData(text, start)) {
      const c = text.charCodeAt(start + 4);
      if (c === COLON || start + 4 === end) {
        const from = c !== COLON ? end : text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5;
        const value = from >= end ? "" : text.slice(from, end);
        data = lines++ === 0 ? value : `${data}\n${value}`;
        return;
      }
    }
    if (text.charCodeAt(start) === COLON) return;
    let colon = text.indexOf(":", start);
    if (colon === -1 || colon > end) colon = end;
    const name = text.slice(start, colon);
    let from = colon + 1;
    if (from < end && text.charCodeAt(from) === SPACE) from++;
    const value = from >= end ? "" : text.slice(from, end);
    if (name === "event") event = value || undefined;
    else if (name === "id" && !value.includes("\0")) id = value;
  };

  /** Where the next line starts after the line break at `at`. */
  const after = (text: string, at: number): number => {
    if (text.charCodeAt(at) === LF) return at + 1;
    if (at + 1 === text.length) {
      skipLf = true;
      return at + 1;
    }
    return text.charCodeAt(at + 1) === LF ? at + 2 : at + 1;
  };

  return {
    push(chunk) {
      if (!started && chunk !== "") {
        started = true;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      if (skipLf && chunk !== "") {
        skipLf = false;
        if (chunk.charCodeAt(0) === LF) chunk = chunk.slice(1);
      }
      let lf = chunk.indexOf("\n");
      let cr = chunk.indexOf("\r");
      if (lf === -1 && cr === -1) {
        if (chunk !== "") pieces.push(chunk);
        return NONE;
      }
      let pos = 0;
      if (pieces.length > 0) {
        // Finish the held line on its own; the rest of the chunk is parsed where it lies, uncopied.
        const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
        pieces.push(chunk.slice(0, end));
        const head = pieces.join("");
        pieces = [];
        line(head, 0, head.length);
        pos = after(chunk, end);
        if (lf !== -1 && lf < pos) lf = chunk.indexOf("\n", pos);
        if (cr !== -1 && cr < pos) cr = chunk.indexOf("\r", pos);
      }
      if (cr === -1) {
        // The common case (every LLM server): "\n" only, one search per line.
        while (lf !== -1) {
          // A whole one-line event (`data: …` and the blank line) goes out without touching the state.
          if (lines === 0 && chunk.charCodeAt(lf + 1) === LF && isData(chunk, pos) && chunk.charCodeAt(pos + 4) === COLON) {
            const from = chunk.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5;
            (out ??= []).push({ data: from >= lf ? "" : chunk.slice(from, lf), event, id });
            event = undefined;
            id = undefined;
            pos = lf + 2;
          } else {
            line(chunk, pos, lf);
            pos = lf + 1;
          }
          lf = chunk.indexOf("\n", pos);
        }
      } else {
        while (lf !== -1 || cr !== -1) {
          const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
          line(chunk, pos, end);
          pos = after(chunk, end);
          if (lf !== -1 && lf < pos) lf = chunk.indexOf("\n", pos);
          if (cr !== -1 && cr < pos) cr = chunk.indexOf("\r", pos);
        }
      }
      if (pos < chunk.length) pieces.push(pos === 0 ? chunk : chunk.slice(pos));
      const done = out;
      out = null;
      return done ?? NONE;
    },
    flush() {
      if (pieces.length > 0) {
        const rest = pieces.join("");
        pieces = [];
        line(rest, 0, rest.length);
      }
      skipLf = false;
      dispatch();
      const done = out;
      out = null;
      return done ?? NONE;
    },
  };
}

/** Response headers of an event stream: never cached or transformed, never buffered by a proxy in front. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
} as const;

const BREAK = /\r\n|\r|\n/;

/**
 * One SSE frame: optional `id:` and `event:` lines, then `data` (a value
 * with line breaks becomes several `data:` lines, which a reader joins back
 * with "\n"), then the blank line that dispatches it. `id` and `event` must
 * not contain line breaks.
 */
export function sseFrame(data: string, event?: string, id?: string): string {
  const body = data.indexOf("\n") === -1 && data.indexOf("\r") === -1 ? data : data.split(BREAK).join("\ndata: ");
  const head = (id === undefined ? "" : `id: ${id}\n`) + (event === undefined ? "" : `event: ${event}\n`);
  return `${head}data: ${body}\n\n`;
}
