/**
 * One reply in flight: the events it has produced so far, kept so any
 * client (another tab, a reconnect) can replay what it missed and follow
 * live. Generation never depends on a subscriber being there.
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

export function createTurn(turnId: string, userMessageId: string) {
  const frames: string[] = [];
  const subscribers = new Set<ReadableStreamDefaultController<Uint8Array>>();
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

  function emit(e: TurnEvent): void {
    const { event } = e;
    const frame = turnFrame(`${turnId}.${frames.length}`, e);
    frames.push(frame);
    const bytes = enc.encode(frame);
    for (const c of subscribers) {
      try {
        c.enqueue(bytes);
      } catch {
        subscribers.delete(c);
      }
    }
    if (event === "token") {
      sawToken = true;
      firstSettled();
    }
    if (event === "done" || event === "error") {
      finished = true;
      firstSettled();
      resolveDone();
      for (const c of subscribers) {
        try {
          c.close();
        } catch {
          /* already gone */
        }
      }
      subscribers.clear();
    }
  }

  /** A stream of every frame after index `after` (-1 for all), then live ones. */
  function subscribe(after = -1): ReadableStream<Uint8Array> {
    let self: ReadableStreamDefaultController<Uint8Array> | null = null;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        self = controller;
        const missed = frames.slice(after + 1).join("");
        if (missed) controller.enqueue(enc.encode(missed));
        if (finished) controller.close();
        else subscribers.add(controller);
      },
      cancel() {
        if (self) subscribers.delete(self);
      },
    });
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
