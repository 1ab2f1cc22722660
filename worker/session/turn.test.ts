import { describe, expect, it } from "vitest";
import { createTurn, frameIndex, sseFrame } from "./turn";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("the turn buffer", () => {
  it("replays every frame to a late subscriber, then follows live until the end", async () => {
    const turn = createTurn("t1", "u1");
    turn.emit("message", { message: "hi" });
    turn.emit("token", { text: "a" });
    const late = turn.subscribe(-1);
    turn.emit("token", { text: "b" });
    turn.emit("done", { message: "ab" });
    const text = await readAll(late);
    expect(text).toBe(
      sseFrame("t1.0", "message", { message: "hi" }) +
        sseFrame("t1.1", "token", { text: "a" }) +
        sseFrame("t1.2", "token", { text: "b" }) +
        sseFrame("t1.3", "done", { message: "ab" }),
    );
  });

  it("resumes after a given frame with exactly the frames that followed it", async () => {
    const turn = createTurn("t2", "u1");
    for (const t of ["a", "b", "c"]) turn.emit("token", { text: t });
    turn.emit("done", {});
    const text = await readAll(turn.subscribe(1));
    expect(text).toBe(sseFrame("t2.2", "token", { text: "c" }) + sseFrame("t2.3", "done", {}));
  });

  it("settles `started` at the first token and `done` at the end, and tells whether tokens flowed", async () => {
    const turn = createTurn("t3", "u1");
    let started = false;
    void turn.started.then(() => (started = true));
    turn.emit("message", {});
    await Promise.resolve();
    expect(started).toBe(false);
    turn.emit("token", { text: "x" });
    await turn.started;
    expect(turn.sawToken).toBe(true);
    expect(turn.finished).toBe(false);
    turn.emit("error", { code: "upstream_error" });
    await turn.done;
    expect(turn.finished).toBe(true);
  });

  it("keeps generating when a subscriber goes away", async () => {
    const turn = createTurn("t4", "u1");
    const gone = turn.subscribe(-1);
    await gone.cancel();
    turn.emit("token", { text: "still" });
    turn.emit("done", {});
    expect(await readAll(turn.subscribe(-1))).toContain('"still"');
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
