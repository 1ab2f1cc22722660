/**
 * Reading the conversation: a page of history (older pages from PostgreSQL
 * when this object does not hold them), and resuming the reply in flight
 * from a client's last event id.
 */
import { olderActive } from "../db/messages";
import type { Message } from "../shared/wire";
import { withAlternatives } from "./controls";
import type { SessionPg } from "./pg";
import type { Store } from "./store";
import { frameIndex, sseFrame } from "./turn";
import type { TurnRunner } from "./turn-runner";
import type { Hot } from "./window";

/** A page of history, newest last, with the cursor of the page before it. */
export async function historyPage(
  store: Store,
  pg: SessionPg,
  hot: Hot,
  before: string | undefined,
  limit: number,
): Promise<{ messages: Message[]; nextBefore: string | null }> {
  let rows = store.recentActive(hot.chat, limit + 1, before);
  if (rows.length < limit + 1 && hot.cold !== "none") {
    const oldestLocal = store.oldestId(hot.chat);
    const floor = before && oldestLocal ? (before < oldestLocal ? before : oldestLocal) : (before ?? oldestLocal);
    const ref = { ...hot.pair, chat: hot.chat };
    rows = [...(await pg.run((h) => olderActive(h.db, ref, floor, limit + 1 - rows.length))), ...rows];
  }
  const more = rows.length > limit;
  const page = more ? rows.slice(1) : rows;
  return { messages: withAlternatives(store, page), nextBefore: more ? page[0].id : null };
}

/** What the caller missed of the current or just-finished reply, then live; else the last message; null when empty. */
export function resumeStream(runner: TurnRunner, store: Store, hot: Hot, lastEventId?: string): ReadableStream<Uint8Array> | null {
  const running = runner.current(hot.chat);
  const turn = running ?? runner.last(hot.chat);
  if (turn) {
    const after = frameIndex(lastEventId, turn.id);
    if (running || after !== null) return turn.subscribe(after ?? -1);
  }
  const last = hot.window.at(-1);
  if (!last) return null;
  const message = withAlternatives(store, [last])[0];
  return new Blob([sseFrame(`${last.id}.0`, "done", { message })]).stream();
}
