/**
 * The concurrency benchmark's arithmetic, pure: what a set of streamed
 * replies looked like from the client (first token, the gaps between the
 * frames that carried text, stalls, failures), CPU per streamed frame, and
 * the goal verdicts of issue 13.
 */
import { type Summary, summarize } from "./stats";

/** One streamed reply as the client saw it. */
export interface StreamTrace {
  /** Milliseconds from sending the request to the first frame with text; null when none came. */
  firstMs: number | null;
  /** Arrival time (ms, any origin) of each frame that carried text, in order. */
  arrivals: number[];
  /** The reply ended as the protocol says a finished one does (`[DONE]`, `event: done`). */
  ok: boolean;
}

export interface PathFigures {
  streams: number;
  failures: number;
  firstToken: Summary;
  gaps: Summary;
  /** Gaps longer than twice the pacing. */
  stalls: number;
  /** Frames that carried text, over every stream. */
  frames: number;
}

/** The gaps between consecutive arrivals of one stream. */
export function gapsOf(arrivals: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < arrivals.length; i++) gaps.push(arrivals[i] - arrivals[i - 1]);
  return gaps;
}

/** The figures of one path's streams; a stall is a gap over `2 × pacingMs`. */
export function pathFigures(traces: readonly StreamTrace[], pacingMs: number): PathFigures {
  const gaps: number[] = [];
  const first: number[] = [];
  let frames = 0;
  let failures = 0;
  for (const t of traces) {
    if (!t.ok) failures++;
    if (t.firstMs !== null) first.push(t.firstMs);
    frames += t.arrivals.length;
    for (const g of gapsOf(t.arrivals)) gaps.push(g);
  }
  const limit = 2 * pacingMs;
  return {
    streams: traces.length,
    failures,
    firstToken: summarize(first),
    gaps: summarize(gaps),
    stalls: gaps.filter((g) => g > limit).length,
    frames,
  };
}

/** CPU microseconds per upstream frame; NaN when the CPU was not measured or nothing streamed. */
export function cpuPerFrameUs(cpuMs: number | null, upstreamFrames: number): number {
  return cpuMs === null || upstreamFrames <= 0 ? Number.NaN : (cpuMs * 1000) / upstreamFrames;
}
