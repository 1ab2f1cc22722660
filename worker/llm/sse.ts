/**
 * Incremental Server-Sent Events parser (WHATWG "event stream" format).
 * Pure: feed it decoded text as it arrives, it returns the events completed
 * by that text. Used on the LLM streaming hot path, so it scans with
 * indexOf instead of splitting or regex-matching every chunk.
 */

/** One dispatched event. `id` is present only when the event block set one. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/** Stateful parser; one per stream. */
export interface SseParser {
  /** Feed the next piece of text; returns the events it completed (often none). */
  push(text: string): SseEvent[];
}

/**
 * Creates a parser. Lines may end in `\n`, `\r\n` or `\r`, even when the
 * pair is split across chunks. Comments (`:` lines) and `retry:` are ignored.
 * An event not yet closed by a blank line is never returned: per the spec,
 * a stream that ends mid-event drops it.
 */
export function createSseParser(): SseParser {
  let rest = "";
  let skipLf = false; // last chunk ended in "\r": a leading "\n" belongs to it
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;

  const line = (text: string, out: SseEvent[]): void => {
    if (text === "") {
      if (data.length > 0) {
        const ev: SseEvent = { data: data.join("\n") };
        if (event !== undefined) ev.event = event;
        if (id !== undefined) ev.id = id;
        out.push(ev);
      }
      data = [];
      event = undefined;
      id = undefined;
      return;
    }
    if (text.charCodeAt(0) === 58 /* ":" */) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* " " */) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) id = value;
  };

  return {
    push(chunk) {
      const out: SseEvent[] = [];
      let text = rest + chunk;
      if (skipLf && text.charCodeAt(0) === 10) text = text.slice(1);
      skipLf = false;
      let pos = 0;
      let lf = text.indexOf("\n");
      let cr = text.indexOf("\r");
      while (lf !== -1 || cr !== -1) {
        if (cr !== -1 && (lf === -1 || cr < lf)) {
          line(text.slice(pos, cr), out);
          if (cr + 1 === text.length) {
            skipLf = true;
            pos = cr + 1;
          } else {
            pos = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
          }
        } else {
          line(text.slice(pos, lf), out);
          pos = lf + 1;
        }
        if (lf !== -1 && lf < pos) lf = text.indexOf("\n", pos);
        if (cr !== -1 && cr < pos) cr = text.indexOf("\r", pos);
      }
      rest = pos === 0 ? text : text.slice(pos);
      return out;
    },
  };
}
