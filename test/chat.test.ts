/**
 * Chat turns through the real worker and session objects: memory of earlier
 * turns, isolation between pairs, idempotency, one turn at a time, streaming
 * that survives a disconnect, and upstream failures.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, eventually, OPS_TOKEN, parseSse, promptsWith, type Session, startWorker, unique } from "./worker";

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await startWorker({ env: { LLM_FIRST_TOKEN_MS: "1500", LLM_GAP_MS: "1000" } });
  api = client(stack.url);
});
afterAll(() => stack?.close());

async function history(as: Session, characterId: string) {
  const res = await api.call(`/api/chats/${characterId}/messages?limit=100`, { as });
  return ((await res.json()) as { messages: { id: string; role: string; content: string; status: string }[] }).messages;
}

describe("health", () => {
  it("reports each dependency at /readyz, and says when the LLM is down", async () => {
    const operator = { headers: { authorization: `Bearer ${OPS_TOKEN}` } };
    const ready = await fetch(`${stack.url}/readyz`, operator);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { postgres: { ok: true }, redis: { ok: true }, llm: { ok: true } } });
    const broken = await startWorker({ llmBaseUrl: "http://127.0.0.1:9/v1" });
    try {
      const res = await fetch(`${broken.url}/readyz`, operator);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { ready: boolean; checks: { llm: { ok: boolean }; postgres: { ok: boolean } } };
      expect(body.checks.llm.ok).toBe(false);
      expect(body.checks.postgres.ok).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

describe("a conversation", () => {
  it("starts with the greeting and remembers the previous turn", async () => {
    const me = await api.register();
    const ch = await api.character(me, { greeting: "Welcome, traveller." });
    const first = unique("apple");
    const r1 = await api.say(me, ch.id, `My secret fruit is ${first}.`);
    expect(r1.status).toBe(200);
    expect(r1.body.reply.content).toContain("[development model]");
    const marker = unique("m");
    const r2 = await api.say(me, ch.id, `What was my fruit? ${marker}`);
    expect(r2.status).toBe(200);
    const [prompt] = await promptsWith(marker);
    const text = prompt.messages.map((m) => m.content).join("\n");
    expect(prompt.messages[0].role).toBe("system");
    expect(text).toContain(first);
    expect(text).toContain(r1.body.reply.content);
    expect(text).toContain("Welcome, traveller.");
    const msgs = await history(me, ch.id);
    expect(msgs.map((m) => m.role)).toEqual(["assistant", "user", "assistant", "user", "assistant"]);
    expect(msgs[0].content).toBe("Welcome, traveller.");
  });

  it("streams SSE events with ids: message, tokens, done", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const res = await api.call(`/api/chats/${ch.id}/messages`, {
      method: "POST",
      as: me,
      headers: { accept: "text/event-stream" },
      json: { content: "stream please" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = parseSse(await res.text());
    expect(events[0].event).toBe("message");
    expect(events[0].data.message.content).toBe("stream please");
    const tokens = events.filter((e) => e.event === "token");
    expect(tokens.length).toBeGreaterThan(5);
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data.message.content).toBe(tokens.map((t) => t.data.text).join(""));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it("answers the seed's POST /api/chat", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const res = await api.call("/api/chat", { method: "POST", as: me, json: { characterId: ch.id, message: "seed hello" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: string }).message).toContain('You said: "seed hello"');
  });
});

describe("privacy", () => {
  it("never puts another pair's conversation in a prompt", async () => {
    const users = [await api.register(), await api.register()];
    const shared = await api.character(users[0], { visibility: "public" });
    const own = await api.character(users[0]);
    const pairs = [
      { as: users[0], ch: shared.id },
      { as: users[0], ch: own.id },
      { as: users[1], ch: shared.id },
    ];
    const canaries = pairs.map(() => unique("canary"));
    await Promise.all(pairs.map((p, i) => api.say(p.as, p.ch, `remember ${canaries[i]}`)));
    const markers = pairs.map(() => unique("ask"));
    await Promise.all(pairs.map((p, i) => api.say(p.as, p.ch, `what did I say? ${markers[i]}`)));
    for (let i = 0; i < pairs.length; i++) {
      const [prompt] = await promptsWith(markers[i]);
      const text = JSON.stringify(prompt.messages);
      expect(text).toContain(canaries[i]);
      for (let j = 0; j < pairs.length; j++) if (j !== i) expect(text).not.toContain(canaries[j]);
    }
  });

  it("keeps each user's history to themselves", async () => {
    const [a, b] = [await api.register(), await api.register()];
    const ch = await api.character(a, { visibility: "public" });
    const secret = unique("secret");
    await api.say(a, ch.id, secret);
    const theirs = await history(b, ch.id);
    expect(JSON.stringify(theirs)).not.toContain(secret);
    const list = (await (await api.call("/api/chats", { as: b })).json()) as { chats: unknown[] };
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it("refuses someone else's private character and unknown ones", async () => {
    const [a, b] = [await api.register(), await api.register()];
    const priv = await api.character(a, { visibility: "private" });
    expect((await api.say(b, priv.id, "hi")).status).toBe(404);
    expect((await api.say(b, crypto.randomUUID(), "hi")).status).toBe(404);
    expect((await api.call(`/api/chats/${priv.id}/messages`, { method: "POST", json: { content: "x" } })).status).toBe(401);
  });

  it("refuses every conversation route on someone else's private character before writing anything", async () => {
    const [a, b] = [await api.register(), await api.register()];
    const priv = await api.character(a, { visibility: "private" });
    const base = `/api/chats/${priv.id}`;
    const calls: [string, RequestInit & { json?: unknown }][] = [
      [`${base}/memories`, { method: "POST", json: { content: "planted" } }],
      [`${base}/memories`, {}],
      [`${base}/messages`, {}],
      [`${base}/stream`, {}],
      [`${base}/cancel`, { method: "POST" }],
      [`${base}/regenerate`, { method: "POST" }],
    ];
    for (const [path, init] of calls) {
      const res = await api.call(path, { ...init, as: b });
      expect(res.status, `${init.method ?? "GET"} ${path}`).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("character_not_found");
    }
    const sql = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
    try {
      const [sessions] = await sql`select count(*)::int as n from chat_sessions where user_id = ${b.userId}`;
      const [memories] = await sql`select count(*)::int as n from chat_memories where user_id = ${b.userId}`;
      expect({ sessions: sessions.n, memories: memories.n }).toEqual({ sessions: 0, memories: 0 });
    } finally {
      await sql.end();
    }
  });
});

describe("a character that changes", () => {
  it("is read again by the conversations that keep it hot", async () => {
    const [a, b] = [await api.register(), await api.register()];
    const ch = await api.character(a, { visibility: "public", name: unique("Old ") });
    expect((await api.say(b, ch.id, "hi")).status).toBe(200);
    const name = unique("New ");
    expect((await api.call(`/api/characters/${ch.id}`, { method: "PATCH", as: a, json: { name } })).status).toBe(200);
    const marker = unique("m");
    await api.say(b, ch.id, marker);
    const [prompt] = await promptsWith(marker);
    expect(prompt.messages[0].content).toContain(`You are ${name},`);
    expect((await api.call(`/api/characters/${ch.id}`, { method: "PATCH", as: a, json: { visibility: "private" } })).status).toBe(200);
    const refused = await api.say(b, ch.id, "still there?");
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("character_not_found");
    // And on every turn after it: the object does not fall back to the public sheet it had before.
    expect((await api.say(b, ch.id, "and now?")).status).toBe(404);
    expect((await api.say(a, ch.id, "the creator still can")).status).toBe(200);
  });
});

describe("bad input", () => {
  it("rejects empty and over-long content", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const empty = await api.say(me, ch.id, "   ");
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("invalid_input");
    const long = await api.say(me, ch.id, "x".repeat(32 * 1024 + 1));
    expect(long.status).toBe(413);
    expect(long.body.error.code).toBe("content_too_large");
    // Nothing was stored; opening the conversation shows only the character's greeting.
    expect((await history(me, ch.id)).map((m) => [m.role, m.content])).toEqual([["assistant", ch.greeting]]);
  });
});

describe("one turn at a time", () => {
  it("gives a retried clientMessageId the first result", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const id = crypto.randomUUID();
    const [a, b] = await Promise.all([api.say(me, ch.id, "once only", id), api.say(me, ch.id, "once only", id)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.reply.id).toBe(a.body.reply.id);
    const again = await api.say(me, ch.id, "once only", id);
    expect(again.body.userMessage.id).toBe(a.body.userMessage.id);
    expect((await history(me, ch.id)).filter((m) => m.role === "user")).toHaveLength(1);
  });

  it("answers concurrent sends with one turn and 409s", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const results = await Promise.all([1, 2, 3, 4].map((n) => api.say(me, ch.id, `racing ${n} [[gap:20]]`)));
    const ok = results.filter((r) => r.status === 200);
    const busy = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(busy).toHaveLength(3);
    for (const r of busy) expect(r.body.error.code).toBe("turn_in_progress");
    expect((await history(me, ch.id)).filter((m) => m.role === "user")).toHaveLength(1);
  });
});

describe("streaming", () => {
  it("finishes and stores the reply after the client disconnects", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const ctrl = new AbortController();
    const res = await api.call(`/api/chats/${ch.id}/messages`, {
      method: "POST",
      as: me,
      headers: { accept: "text/event-stream" },
      json: { content: "[[long:60]] [[gap:20]] go" },
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ctrl.abort();
    const reply = await eventually(async () =>
      (await history(me, ch.id)).find((m) => m.role === "assistant" && m.content.startsWith("[development model]")),
    );
    expect(reply?.status).toBe("complete");
    expect(reply?.content.split(" ").length).toBe(60);
  });

  it("stops a reply on cancel and keeps its partial text", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const res = await api.call(`/api/chats/${ch.id}/messages`, {
      method: "POST",
      as: me,
      headers: { accept: "text/event-stream" },
      json: { content: "[[long:400]] [[gap:20]] go" },
    });
    const body = res.text();
    await new Promise((r) => setTimeout(r, 300));
    const cancel = await api.call(`/api/chats/${ch.id}/cancel`, { method: "POST", as: me });
    expect(await cancel.json()).toEqual({ cancelled: true });
    const events = parseSse(await body);
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data.message.status).toBe("cancelled");
    const stored = (await history(me, ch.id)).at(-1)!;
    expect(stored.status).toBe("cancelled");
    expect(stored.content.split(" ").length).toBeGreaterThan(2);
    expect(stored.content.split(" ").length).toBeLessThan(400);
    // And the session takes the next turn.
    expect((await api.say(me, ch.id, "after cancel")).status).toBe(200);
  });
  it("reuses its connection to the LLM from one reply to the next", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const marker = unique("reuse");
    for (let i = 0; i < 5; i++) {
      const res = await api.call(`/api/chats/${ch.id}/messages`, {
        method: "POST",
        as: me,
        headers: { accept: "text/event-stream" },
        json: { content: `${marker} ${i} [[long:5]]` },
      });
      expect(parseSse(await res.text()).at(-1)?.event).toBe("done");
    }
    const res = await fetch(`${inject("llmBaseUrl")}/_debug/requests`);
    const { requests } = (await res.json()) as { requests: { body: { messages?: { content: string }[] }; connection: number }[] };
    const used = requests.filter((r) => r.body?.messages?.at(-1)?.content.startsWith(marker)).map((r) => r.connection);
    expect(used).toHaveLength(5);
    // A reply that ends is read to its end, so the next one need not open a connection (a summary may take a second one meanwhile).
    expect(new Set(used).size).toBeLessThanOrEqual(2);
  });
});

describe("upstream failures", () => {
  it.each([
    ["[[fail:500]]", 502, "upstream_error"],
    ["[[fail:503]]", 503, "llm_unavailable"],
    ["[[delay:3000]]", 504, "upstream_timeout"],
  ])("%s → %i %s, and the session works again", async (knob, status, code) => {
    const me = await api.register();
    const ch = await api.character(me);
    const r = await api.say(me, ch.id, `boom ${knob}`);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(JSON.stringify(r.body)).not.toMatch(/stack|at .*\.ts/);
    const next = await api.say(me, ch.id, "are you back?");
    expect(next.status).toBe(200);
    const msgs = await history(me, ch.id);
    expect(msgs.filter((m) => m.role === "user").map((m) => m.content)).toEqual([`boom ${knob}`, "are you back?"]);
  });

  it("a cut-off stream ends with an error event and keeps the partial reply", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const res = await api.call(`/api/chats/${ch.id}/messages`, {
      method: "POST",
      as: me,
      headers: { accept: "text/event-stream" },
      json: { content: "[[cut:5]] then stop" },
    });
    const events = parseSse(await res.text());
    const last = events.at(-1)!;
    expect(last.event).toBe("error");
    expect(last.data.code).toBe("upstream_error");
    expect(last.data.partial.status).toBe("interrupted");
    const stored = (await history(me, ch.id)).at(-1)!;
    expect(stored.status).toBe("interrupted");
    expect(stored.content.length).toBeGreaterThan(0);
    expect((await api.say(me, ch.id, "again")).status).toBe(200);
  });

  it("a stall mid-reply times out as an error with the partial kept", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const res = await api.call(`/api/chats/${ch.id}/messages`, {
      method: "POST",
      as: me,
      headers: { accept: "text/event-stream" },
      json: { content: "[[stall:4]] hang" },
    });
    const last = parseSse(await res.text()).at(-1)!;
    expect(last.event).toBe("error");
    expect(last.data.code).toBe("upstream_timeout");
    expect((await history(me, ch.id)).at(-1)!.status).toBe("interrupted");
  });
});

describe("the seed's legacy LLM contract", () => {
  it("answers turns through POST {base}/generate when LLM_PROVIDER=legacy", async () => {
    const legacy = await startWorker({ env: { LLM_PROVIDER: "legacy" } });
    try {
      const api2 = client(legacy.url);
      const me = await api2.register();
      const ch = await api2.character(me);
      const r = await api2.say(me, ch.id, "legacy hello");
      expect(r.status).toBe(200);
      expect(r.body.reply.content).toContain('You said: "legacy hello"');
      const res = await fetch(`${inject("llmBaseUrl")}/_debug/requests`);
      const { requests } = (await res.json()) as { requests: { path: string; body: { message?: string; character_id?: string } }[] };
      expect(requests.some((q) => q.path.endsWith("/generate") && q.body.message === "legacy hello" && q.body.character_id === ch.id)).toBe(
        true,
      );
    } finally {
      await legacy.close();
    }
  });
});
