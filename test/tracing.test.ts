/**
 * One chat turn followed end to end: the worker (real workerd) → the session
 * object → the tunnel token → the real gateway process → the development
 * LLM, each exporting OTLP/JSON to the development collector. One trace id
 * must hold every span, linked into one tree, and the model server must have
 * received that trace in `traceparent`. Logs carry the trace id, and no span
 * carries message content.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { generateTunnelKeys } from "../aks/gateway/keygen";
import type { Stack } from "../dev/stack";
import { type CollectedSpan, startTraceCollector, type TraceCollector } from "../dev/trace-collector";
import { parseTraceparent } from "../worker/shared/trace-context";
import { type GatewayProcess, startGatewayProcess } from "./gateway-process";
import { client, eventually, parseSse, promptsWith, type Session, startWorker, unique } from "./worker";

const TURN_SPANS = [
  "POST /api/chats/:characterId/messages",
  "ChatSession/send",
  "session.prompt",
  "chat development",
  "POST /v1/chat/completions",
  "gateway.auth",
  "gateway.pool",
  "gateway.upstream",
];

let collector: TraceCollector;
let gateway: GatewayProcess;
let stack: Stack;
let api: ReturnType<typeof client>;
let me: Session;
let characterId: string;
const workerLog: string[] = [];

beforeAll(async () => {
  collector = await startTraceCollector();
  const keys = await generateTunnelKeys("EdDSA", "trace-key");
  gateway = await startGatewayProcess({
    jwks: keys.jwks,
    upstream: inject("llmBaseUrl"),
    env: {
      REDIS_URL: inject("redisUrl"),
      GATEWAY_REDIS_PREFIX: `${unique("trace:")}:`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: "50",
    },
  });
  stack = await startWorker({
    llmBaseUrl: `${gateway.url}/v1`,
    env: { TUNNEL_SIGNING_KEY: JSON.stringify(keys.privateJwk), OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    onLog: (line) => workerLog.push(line),
  });
  api = client(stack.url);
  me = await api.register();
  characterId = (await api.character(me)).id;
});
afterAll(async () => {
  await stack?.close();
  gateway?.close();
  await collector?.close();
});

/** One streamed turn; the trace id the model server received with it. */
async function turn(content: string): Promise<{ traceId: string; upstreamSpanId: string }> {
  const res = await api.call(`/api/chats/${characterId}/messages`, {
    method: "POST",
    as: me,
    headers: { accept: "text/event-stream" },
    json: { content },
  });
  expect(res.status).toBe(200);
  expect(parseSse(await res.text()).at(-1)!.event).toBe("done");
  const [prompt] = await promptsWith(content);
  const received = parseTraceparent(String(prompt.headers.traceparent ?? ""));
  expect(received).not.toBeNull();
  return { traceId: received!.traceId, upstreamSpanId: received!.spanId };
}

/** The spans of `traceId` once all of `names` have arrived. */
async function spansOf(traceId: string, names: string[]): Promise<CollectedSpan[]> {
  const all = () => collector.spans().filter((s) => s.traceId === traceId);
  await eventually(async () => names.every((n) => all().some((s) => s.name === n)));
  return all();
}

describe("a chat turn's trace", () => {
  it("links the worker, the session object, the gateway and the upstream call into one tree", async () => {
    const marker = unique("traced");
    const { traceId, upstreamSpanId } = await turn(`follow me ${marker}`);
    const spans = await spansOf(traceId, TURN_SPANS);
    expect(spans.map((s) => s.name).sort()).toEqual([...TURN_SPANS].sort());

    const byName = new Map(spans.map((s) => [s.name, s]));
    const span = (name: string) => byName.get(name)!;
    const parentOf = (name: string) => spans.find((s) => s.spanId === span(name).parentSpanId)?.name;
    // One root, and every other span's parent is in the same trace.
    expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(["POST /api/chats/:characterId/messages"]);
    expect(parentOf("ChatSession/send")).toBe("POST /api/chats/:characterId/messages");
    expect(parentOf("session.prompt")).toBe("ChatSession/send");
    expect(parentOf("chat development")).toBe("ChatSession/send");
    expect(parentOf("POST /v1/chat/completions")).toBe("chat development");
    expect(parentOf("gateway.auth")).toBe("POST /v1/chat/completions");
    expect(parentOf("gateway.pool")).toBe("POST /v1/chat/completions");
    expect(parentOf("gateway.upstream")).toBe("gateway.pool");
    // The model server was told which span called it.
    expect(span("gateway.upstream").spanId).toBe(upstreamSpanId);

    expect(span("POST /api/chats/:characterId/messages").service).toBe("character-chat-worker");
    expect(span("POST /v1/chat/completions").service).toBe("llm-gateway");
    expect(span("POST /api/chats/:characterId/messages").attributes["http.response.status_code"]).toBe(200);
    expect(span("chat development").attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(span("chat development").events).toContain("first_token");
    expect(span("gateway.pool").attributes["gateway.pool"]).toBe("dev");
    expect(span("gateway.pool").attributes["gateway.outcome"]).toBe("complete");
    expect(spans.every((s) => s.error === undefined)).toBe(true);
    // Ids hashed or left out, never what was said.
    expect(JSON.stringify(spans)).not.toContain(marker);
    expect(JSON.stringify(spans)).not.toContain(me.userId);

    // The log lines of the turn, on both sides, carry the trace id.
    const finished = workerLog.find((l) => l.includes('"turn_finished"') && l.includes(traceId));
    expect(finished).toBeDefined();
    expect(finished).not.toContain(marker);
    expect(JSON.parse(finished!)).toMatchObject({ status: "complete", traceId });
    expect(
      gateway
        .output()
        .split("\n")
        .find((l) => l.includes('"llm_usage"') && l.includes(traceId)),
    ).toBeDefined();
  });

  it("makes spans per request, not per token: a long reply has the same spans as a short one", async () => {
    const short = await turn(`short ${unique()}`);
    const long = await turn(`[[long:300]] long ${unique()}`);
    const names = async (traceId: string) => (await spansOf(traceId, TURN_SPANS)).map((s) => s.name).sort();
    const longNames = await names(long.traceId);
    expect(longNames).toEqual(await names(short.traceId));
    expect(longNames).toHaveLength(TURN_SPANS.length);
  });

  it("prints the spans as console lines for local development (OTEL_TRACES_EXPORTER=console)", async () => {
    const lines: string[] = [];
    const local = await startWorker({ env: { OTEL_TRACES_EXPORTER: "console" }, onLog: (line) => lines.push(line) });
    try {
      const localApi = client(local.url);
      const user = await localApi.register();
      const ch = await localApi.character(user);
      const marker = unique("console");
      expect((await localApi.say(user, ch.id, `print me ${marker}`)).status).toBe(200);
      const [prompt] = await promptsWith(marker);
      const traceId = parseTraceparent(String(prompt.headers.traceparent))!.traceId;
      const spanLines = () =>
        lines.filter((l) => l.includes('"event":"span"') && l.includes(traceId)).map((l) => JSON.parse(l) as { name: string });
      await eventually(async () => spanLines().length >= 4);
      expect(
        spanLines()
          .map((s) => s.name)
          .sort(),
      ).toEqual(["POST /api/chats/:characterId/messages", "ChatSession/send", "session.prompt", "chat development"].sort());
      expect(lines.filter((l) => l.includes('"event":"span"')).join("\n")).not.toContain(marker);
    } finally {
      await local.close();
    }
  });

  it("continues a caller's valid traceparent and starts a new trace on an invalid one", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await api.call("/api/chats", { as: me, headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(res.status).toBe(200);
    const [continued] = await spansOf(traceId, ["GET /api/chats"]);
    expect(continued.parentSpanId).toBe("00f067aa0ba902b7");

    const roots = () => collector.spans().filter((s) => s.name === "GET /api/chats" && !s.parentSpanId);
    const before = roots().length;
    const bad = await api.call("/api/chats", { as: me, headers: { traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01` } });
    expect(bad.status).toBe(200);
    await eventually(async () => roots().length > before);
    const fresh = roots().at(-1)!;
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.traceId).not.toBe("0".repeat(32));
  });
});
