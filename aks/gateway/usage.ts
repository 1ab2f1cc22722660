/**
 * Usage of a reply, observed beside the stream rather than in it: the relay
 * hands every chunk to the meter, which counts its SSE events with a native
 * byte search and keeps a reference to the last few chunks. At the end those
 * few are decoded once and parsed (the one SSE parser) to find the
 * upstream's final `usage` chunk and the `[DONE]` marker.
 */
import { type Usage as Counted, DONE, readUsage } from "../../worker/shared/openai";
import { createSseParser } from "../../worker/shared/sse";

export interface Usage extends Counted {
  /** True when the upstream reported no usage and the figure is a guess. */
  estimated: boolean;
}

export interface StreamUsage extends Usage {
  /** The stream ended with `data: [DONE]` (a clean end). */
  done: boolean;
  /** `data:` events seen (the estimate when usage is missing). */
  events: number;
}

export interface StreamMeter {
  observe(chunk: Uint8Array): void;
  finish(): StreamUsage;
}

const KEEP = 8;

/** The upstream's reported usage in a parsed chunk or completion, if any. */
export function reportedUsage(value: unknown): Usage | undefined {
  const usage = readUsage(value);
  return usage && { ...usage, estimated: false };
}

function countEvents(chunk: Uint8Array): number {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let n = 0;
  for (let at = bytes.indexOf("data:"); at !== -1; at = bytes.indexOf("data:", at + 5)) n++;
  return n;
}

export function createStreamMeter(): StreamMeter {
  let events = 0;
  const last: Uint8Array[] = [];
  return {
    observe(chunk) {
      events += countEvents(chunk);
      last.push(chunk);
      if (last.length > KEEP) last.shift();
    },
    finish() {
      // The first kept chunk may start mid-event: its broken lines parse as unknown fields or bad JSON.
      const parser = createSseParser();
      const text = new TextDecoder().decode(Buffer.concat(last));
      const tail = [...parser.push(text), ...parser.flush()];
      const done = tail.at(-1)?.data === DONE;
      let usage: Usage | undefined;
      for (let i = tail.length - 1; i >= 0 && !usage; i--) {
        if (!tail[i].data.includes('"usage"')) continue;
        try {
          usage = reportedUsage(JSON.parse(tail[i].data));
        } catch {
          // not JSON: a fragment of a cut event
        }
      }
      // No usage chunk: one event is about one token (OpenAI-style servers send a chunk per token).
      const estimate = { completionTokens: Math.max(0, events - (done ? 1 : 0)), estimated: true };
      return { ...(usage ?? estimate), done, events };
    },
  };
}
