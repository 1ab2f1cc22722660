/**
 * `npx tsx bench/sse-parser.ts`: our SSE parser (worker/shared/sse.ts)
 * against the `eventsource-parser` package on the LLM streaming hot path:
 * an OpenAI chat completions stream of 500 one-word chunks, read the way the
 * worker's LLM client reads it (events collected per network read, then
 * iterated), cut into reads of four shapes. Each (parser, shape) runs in a
 * fresh process, in alternation, several times; the figures are medians of
 * CPU nanoseconds per event, and the ratio is the package's time over ours
 * (above 1: ours is faster). Parsing only: decoding and JSON.parse cost the
 * same either way.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { chunkFrame, completionChunk, DONE_FRAME } from "../worker/shared/openai";
import { createSseParser } from "../worker/shared/sse";
import { percentile } from "./stats";

const TOKENS = 500;
/** CPU time of this process in ms: on a shared machine, waiting for a core is not the parser's cost. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const STREAMS = 100;
const ROUNDS = 10;
const RUNS = 9;

const PARSERS = ["ours", "eventsource-parser"] as const;
type ParserName = (typeof PARSERS)[number];

/** The stream a vLLM-style server sends for one reply. */
function streamText(): { frames: string[]; text: string } {
  const meta = { id: "chatcmpl-bench", created: 1_700_000_000, model: "meta-llama/Llama-3.1-8B-Instruct" };
  const frames = [chunkFrame(completionChunk(meta, { role: "assistant", content: "" }))];
  for (let i = 0; i < TOKENS; i++) frames.push(chunkFrame(completionChunk(meta, { content: ` word${i}` })));
  frames.push(chunkFrame(completionChunk(meta, {}, "stop")), DONE_FRAME);
  return { frames, text: frames.join("") };
}

const slices = (text: string, size: number): string[] => {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size));
  return out;
};

/** How the reads of one stream are cut. */
const SHAPES: Record<string, (s: { frames: string[]; text: string }) => string[]> = {
  "one event per read (streaming server)": (s) => s.frames,
  "four events per read (coalesced)": (s) =>
    Array.from({ length: Math.ceil(s.frames.length / 4) }, (_, i) => s.frames.slice(i * 4, i * 4 + 4).join("")),
  "1,460-character reads (TCP segments)": (s) => slices(s.text, 1460),
  "17-character reads (worst case)": (s) => slices(s.text, 17),
};

/** Parses `STREAMS` streams cut as `reads`; returns ns per event of the fastest of ROUNDS rounds. */
function measure(parser: ParserName, reads: string[], events: number): number {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = cpuMs();
    let seen = 0;
    for (let s = 0; s < STREAMS; s++) {
      if (parser === "ours") {
        const p = createSseParser();
        for (const read of reads) {
          for (const ev of p.push(read)) {
            seen++;
            sink += ev.data.length;
          }
        }
      } else {
        // What the LLM client's generator would do with a callback parser: collect, then iterate.
        const ready: EventSourceMessage[] = [];
        const p = createParser({ onEvent: (ev) => ready.push(ev) });
        for (const read of reads) {
          p.feed(read);
          for (const ev of ready) {
            seen++;
            sink += ev.data.length;
          }
          ready.length = 0;
        }
      }
    }
    const ms = cpuMs() - t0;
    if (seen !== events * STREAMS) throw new Error(`${parser} saw ${seen} events, expected ${events * STREAMS}`);
    best = Math.min(best, ms);
  }
  if (sink === 0) throw new Error("nothing parsed");
  return (best * 1e6) / (events * STREAMS);
}

const self = fileURLToPath(import.meta.url);
const [, , mode, parserArg, shapeArg] = process.argv;

if (mode === "--one") {
  const stream = streamText();
  const shape = SHAPES[shapeArg];
  const parser = PARSERS.find((p) => p === parserArg);
  if (!shape || !parser) throw new Error(`unknown parser or shape: ${parserArg} / ${shapeArg}`);
  process.stdout.write(String(measure(parser, shape(stream), stream.frames.length)));
} else {
  const rows: { shape: string; ours: number; lib: number }[] = [];
  for (const shape of Object.keys(SHAPES)) {
    const figures: Record<ParserName, number[]> = { ours: [], "eventsource-parser": [] };
    for (let run = 0; run < RUNS; run++) {
      // Alternate which goes first, so neither always meets the quieter machine.
      const order = run % 2 === 0 ? PARSERS : [...PARSERS].reverse();
      for (const parser of order) {
        const out = execFileSync(process.execPath, ["--import", "tsx", self, "--one", parser, shape], { encoding: "utf8" });
        figures[parser].push(Number(out));
      }
    }
    rows.push({ shape, ours: percentile(figures.ours, 50), lib: percentile(figures["eventsource-parser"], 50) });
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`SSE parsing, CPU ns per event (median of ${RUNS} fresh processes, each the best of ${ROUNDS} rounds of ${STREAMS} streams)`);
  console.log(`${pad("reads", 40)} ${pad("ours", 8)} ${pad("eventsource-parser", 19)} ratio (theirs / ours)`);
  for (const r of rows) {
    console.log(`${pad(r.shape, 40)} ${pad(r.ours.toFixed(0), 8)} ${pad(r.lib.toFixed(0), 19)} ${(r.lib / r.ours).toFixed(2)}×`);
  }
}
