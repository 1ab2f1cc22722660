/**
 * A send retried with the same clientMessageId: the first result again, or
 * a fresh reply when the first one failed outright. Never a second turn.
 */
import { turnFrame } from "../shared/turn-events";
import type { Ready } from "./collaborators";
import { withAlternatives } from "./controls";
import type { Store } from "./store";
import type { TurnRunner } from "./turn-runner";
import type { SendResult, StoredMessage } from "./types";
import { toWire } from "./window";

export async function replaySend(
  runner: TurnRunner,
  store: Store,
  turn: Ready,
  userMessage: StoredMessage,
  stream: boolean,
): Promise<SendResult> {
  const current = runner.current(turn.hot.chat);
  if (current?.userMessageId === userMessage.id) return runner.follow(current, stream);
  const reply = store
    .repliesToAny([userMessage.id])
    .filter((r) => r.active)
    .at(-1);
  if (!reply || reply.status === "error") {
    if (current) return { ok: false, code: "turn_in_progress" };
    return runner.start(turn, userMessage, stream, true);
  }
  const wireReply = withAlternatives(store, [reply])[0];
  if (!stream) return { ok: true, userMessage: toWire(userMessage), reply: wireReply };
  const frames =
    turnFrame(`${reply.id}.0`, { event: "message", data: { message: toWire(userMessage) } }) +
    turnFrame(`${reply.id}.1`, { event: "done", data: { message: wireReply } });
  return { ok: true, stream: new Blob([frames]).stream() };
}
