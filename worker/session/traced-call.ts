/**
 * A session-object call that may start a reply, inside a span of its own (a
 * child of the worker's request span): the reply hangs its spans under it,
 * and they all leave in one export once that reply ends, not while it
 * streams.
 */
import { errorKind } from "../log";
import type { Parts, Ready } from "./collaborators";
import type { Caller, SendResult } from "./types";

export async function tracedCall(
  c: Parts,
  method: string,
  caller: Caller,
  action: (ready: Ready) => SendResult | Promise<SendResult>,
): Promise<SendResult> {
  const span = c.tracing.start(method, caller);
  let chat: string | undefined;
  try {
    const ready = await c.open(caller);
    if (!ready.ok) {
      span.fail(ready.code);
      return ready;
    }
    chat = ready.hot.chat;
    const result = await action({ ...ready, span });
    if (!result.ok) span.fail(result.code);
    return result;
  } catch (err) {
    span.fail(errorKind(err));
    throw err;
  } finally {
    span.end();
    const reply = chat === undefined ? null : c.runner.current(chat);
    if (reply) void reply.done.then(() => span.flush());
    else span.flush();
  }
}
