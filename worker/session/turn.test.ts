import { describe, expect, it } from "vitest";
import { turnFrame } from "../shared/turn-events";
import type { Message, TurnEvent } from "../shared/wire";
import { createTurn, frameIndex } from "./turn";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

const message = (id: string, content: string): Message => ({
  id,
  role: "user",
  content,
  status: "complete",
  createdAt: "2026-01-01T00:00:00.000Z",
});
const token = (text: string): TurnEvent => ({ event: "token", data: { text } });
const done = (m?: Message): TurnEvent => ({ event: "done", data: m ? { message: m } : {} });

describe("the turn buffer", () => {
  it("replays every frame to a late subscriber, then follows live until the end", async () => {
    const turn = createTurn("t1", "u1");
    const hi = message("u1", "hi");
    turn.emit({ event: "message", data: { message: hi } });
    turn.emit(token("a"));
    const late = turn.subscribe(-1);
    turn.emit(token("b"));
    turn.emit(done(hi));
    expect(await readAll(late)).toBe(
      turnFrame("t1.0", { event: "message", data: { message: hi } }) +
        turnFrame("t1.1", token("a")) +
        turnFrame("t1.2", token("b")) +
        turnFrame("t1.3", done(hi)),
    );
  });

  it("resumes after a given frame with exactly the frames that followed it", async () => {
    const turn = createTurn("t2", "u1");
    for (const t of ["a", "b", "c"]) turn.emit(token(t));
    turn.emit(done());
    expect(await readAll(turn.subscribe(1))).toBe(turnFrame("t2.2", token("c")) + turnFrame("t2.3", done()));
  });

  it("settles `started` at the first token and `done` at the end, and tells whether tokens flowed", async () => {
    const turn = createTurn("t3", "u1");
    let started = false;
    void turn.started.then(() => (started = true));
    turn.emit({ event: "message", data: { message: message("u1", "x") } });
    await Promise.resolve();
    expect(started).toBe(false);
    turn.emit(token("x"));
    await turn.started;
    expect(turn.sawToken).toBe(true);
    expect(turn.finished).toBe(false);
    turn.emit({ event: "error", data: { code: "upstream_error", message: "The language model failed to answer." } });
    await turn.done;
    expect(turn.finished).toBe(true);
  });

  it("keeps generating when a subscriber goes away", async () => {
    const turn = createTurn("t4", "u1");
    const gone = turn.subscribe(-1);
    await gone.cancel();
    turn.emit(token("still"));
    turn.emit(done());
    expect(await readAll(turn.subscribe(-1))).toContain('"still"');
  });
});

describe("a reader slower than the reply", () => {
  it("gets the first frame at once and everything after it, in order, as one chunk when it reads again", async () => {
    const turn = createTurn("t5", "u1");
    const reader = turn.subscribe(-1).getReader();
    turn.emit(token("a"));
    turn.emit(token("b"));
    turn.emit(token("c\n"));
    const decode = (v: Uint8Array | undefined) => new TextDecoder().decode(v);
    expect(decode((await reader.read()).value)).toBe(turnFrame("t5.0", token("a")));
    expect(decode((await reader.read()).value)).toBe(turnFrame("t5.1", token("b")) + turnFrame("t5.2", token("c\n")));
    turn.emit(done());
    expect(decode((await reader.read()).value)).toBe(turnFrame("t5.3", done()));
    expect((await reader.read()).done).toBe(true);
  });

  it("does not hold back a reader that keeps up, and gives every reader the same frames", async () => {
    const turn = createTurn("t6", "u1");
    const fast = turn.subscribe(-1).getReader();
    const slow = turn.subscribe(-1);
    const chunks: string[] = [];
    for (const t of ["a", "b", "c"]) {
      turn.emit(token(t));
      const { value } = await fast.read();
      chunks.push(new TextDecoder().decode(value));
    }
    turn.emit(done());
    expect(chunks).toEqual(["a", "b", "c"].map((t, i) => turnFrame(`t6.${i}`, token(t))));
    expect(await readAll(slow)).toBe(chunks.join("") + turnFrame("t6.3", done()));
  });
});

describe("frameIndex", () => {
  it("reads the frame number of this turn's event ids", () => {
    expect(frameIndex("t1.0", "t1")).toBe(0);
    expect(frameIndex("t1.17", "t1")).toBe(17);
  });

  it("ignores other turns, missing and malformed ids", () => {
    expect(frameIndex(undefined, "t1")).toBeNull();
    expect(frameIndex("t2.3", "t1")).toBeNull();
    expect(frameIndex("t1", "t1")).toBeNull();
    expect(frameIndex("t1.-1", "t1")).toBeNull();
    expect(frameIndex("t1.x", "t1")).toBeNull();
    expect(frameIndex("t1.1.5", "t1")).toBeNull();
  });

  it("works with ids that contain dots themselves", () => {
    expect(frameIndex("a.b.c.4", "a.b.c")).toBe(4);
  });
});
