/**
 * Usage of a reply, observed beside the stream rather than in it: the relay
 * hands every chunk to the meter, which counts its SSE events with a native
 * byte search and keeps a reference to the last few chunks. At the end those
 * few are decoded once to find the upstream's final `usage` chunk and the
 * `[DONE]` marker.
 */

export interface Usage {
  promptTokens?: number;
  completionTokens: number;
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

type UsageJson = { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null };

/** Reads an OpenAI `usage` object when it carries numbers. */
export function readUsage(value: UsageJson): Usage | undefined {
  const completion = value.usage?.completion_tokens;
  if (typeof completion !== "number") return undefined;
  const prompt = value.usage?.prompt_tokens;
  return { completionTokens: completion, promptTokens: typeof prompt === "number" ? prompt : undefined, estimated: false };
}

/** A rough count for text no tokenizer has seen: about four characters a token. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

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
      const text = new TextDecoder().decode(Buffer.concat(last));
      const done = /(^|\n)data: ?\[DONE\]\s*$/.test(text);
      let usage: Usage | undefined;
      for (const line of text.split("\n").reverse()) {
        if (!line.startsWith("data:") || !line.includes('"usage"')) continue;
        try {
          usage = readUsage(JSON.parse(line.slice(5)) as UsageJson);
        } catch {
          continue; // the first kept chunk may start mid-event
        }
        if (usage) break;
      }
      // No usage chunk: one event is about one token (OpenAI-style servers send a chunk per token).
      const estimate = { completionTokens: Math.max(0, events - (done ? 1 : 0)), estimated: true };
      return { ...(usage ?? estimate), done, events };
    },
  };
}
