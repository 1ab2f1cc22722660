/**
 * One reply in flight: the events it has produced so far, kept so any
 * client (another tab, a reconnect) can replay what it missed and follow
 * live. Generation never depends on a subscriber being there, nor waits
 * for one: a frame goes out at once to a reader that has room, and to a
 * reader that fell behind, everything since its last chunk goes out as one
 * chunk when it asks for more (no timer, so the first token never waits).
 */

import type { ErrorCode } from "../errors";
import { turnFrame } from "../shared/turn-events";
import type { Message, MessageStatus, TurnEvent } from "../shared/wire";

/** How a turn ended, set just before its last event. */
export interface TurnOutcome {
  status: MessageStatus;
  reply?: Message;
  code: ErrorCode;
  retryAfter?: number;
}

const enc = new TextEncoder();

/** One open stream of the turn, the first frame it has not been given yet, and whether a write to it is still being read. */
interface Subscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  next: number;
  busy: boolean;
}

/**
 * A byte pipe whose readable side the runtime can carry onward itself
 * (workerd's native IdentityTransformStream; a plain identity
 * TransformStream elsewhere): no JavaScript runs per chunk on the reading side.
 */
function pipe(): TransformStream<Uint8Array, Uint8Array> {
  return typeof IdentityTransformStream === "function" ? new IdentityTransformStream() : new TransformStream<Uint8Array, Uint8Array>();
}

export function createTurn(turnId: string, userMessageId: string) {
  const frames: string[] = [];
  const subscribers = new Set<Subscriber>();
  const abort = new AbortController();
  let finished = false;
  let sawToken = false;
  let firstSettled: () => void = () => {};
  /** Resolves at the first token or at the end, whichever comes first. */
  const started = new Promise<void>((r) => {
    firstSettled = r;
  });
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  /** The newest frame, encoded once for every subscriber that is up to date. */
  let newest: Uint8Array | null = null;

  /**
   * Gives `s` every frame it has not had, as one chunk: the newest frame's
   * shared bytes when that is all, else the missed frames joined (a reader
   * that fell behind catches up in one write). Without `force`, only when
   * its last write has been read: a slow reader's frames wait here, and go
   * out together as soon as it has read the previous chunk.
   */
  function deliver(s: Subscriber, force: boolean): void {
    if (s.next >= frames.length || (s.busy && !force)) return;
    let bytes: Uint8Array;
    if (s.next === frames.length - 1) {
      newest ??= enc.encode(frames[s.next]);
      bytes = newest;
    } else {
      bytes = enc.encode(s.next === 0 ? frames.join("") : frames.slice(s.next).join(""));
    }
    s.next = frames.length;
    s.busy = true;
    s.writer.write(bytes).then(
      () => {
        s.busy = false;
        if (subscribers.has(s)) deliver(s, false);
      },
      () => subscribers.delete(s),
    );
  }

  function push(frame: string, event: TurnEvent["event"]): void {
    frames.push(frame);
    newest = null;
    const last = event === "done" || event === "error";
    for (const s of subscribers) deliver(s, last);
    if (event === "token" && !sawToken) {
      sawToken = true;
      firstSettled();
    }
    if (last) {
      finished = true;
      firstSettled();
      resolveDone();
      for (const s of subscribers) s.writer.close().catch(() => undefined);
      subscribers.clear();
    }
  }

  function emit(e: TurnEvent): void {
    push(turnFrame(`${turnId}.${frames.length}`, e), e.event);
  }

  /** A stream of every frame after index `after` (-1 for all), then live ones. */
  function subscribe(after = -1): ReadableStream<Uint8Array> {
    const { readable, writable } = pipe();
    const s: Subscriber = { writer: writable.getWriter(), next: Math.max(0, after + 1), busy: false };
    deliver(s, true);
    if (finished) s.writer.close().catch(() => undefined);
    else subscribers.add(s);
    return readable;
  }

  return {
    outcome: undefined as TurnOutcome | undefined,
    id: turnId,
    userMessageId,
    abort,
    started,
    done,
    emit,
    subscribe,
    get finished() {
      return finished;
    },
    get sawToken() {
      return sawToken;
    },
  };
}

export type Turn = ReturnType<typeof createTurn>;

/** The frame index in a `Last-Event-ID` of this turn, or null when it names another turn. */
export function frameIndex(lastEventId: string | undefined, turnId: string): number | null {
  if (!lastEventId) return null;
  const dot = lastEventId.lastIndexOf(".");
  if (dot < 0 || lastEventId.slice(0, dot) !== turnId) return null;
  const n = Number(lastEventId.slice(dot + 1));
  return Number.isInteger(n) && n >= 0 ? n : null;
}
