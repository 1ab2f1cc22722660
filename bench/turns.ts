/**
 * One measured turn, taken on three paths with the same prompt: the
 * service (which builds the prompt from its session), then the development
 * LLM directly and through the pass-through proxy with the exact request
 * body the service sent (read back from the development LLM's
 * `/_debug/requests`, outside the timed part). Pairing by prompt keeps the
 * model's own cost (parsing and tokenizing a long prompt) out of "added".
 */
import { type CpuMeter, cpuOf } from "./cpu";
import { openaiFirstToken, serviceFirstToken } from "./first-token";
import { send, type Timed } from "./http-client";

export interface Paths {
  /** The development LLM's base URL (with `/v1`). */
  llm: string;
  /** The pass-through proxy's base URL (with `/v1`). */
  proxy: string;
  /** The service's origin. */
  service: string;
  /** Portkey's base URL (with `/v1`) and the headers it needs, when the turns are replayed through it too. */
  portkey?: { url: string; headers: Record<string, string> };
}

/** CPU meters of the service's workerd process and of the proxy's process; null where unavailable. */
export interface Meters {
  service: CpuMeter | null;
  proxy: CpuMeter | null;
  portkey?: CpuMeter | null;
}

export interface Conversation {
  token: string;
  characterId: string;
}

export type Mode = "stream" | "json";

/** Milliseconds per path for one turn: TTFT when streaming, the full answer for JSON. */
export interface TurnSample {
  service: number;
  direct: number;
  proxy: number;
  /** Prompt messages the service sent (context size). */
  promptMessages: number;
  /** workerd CPU ms from sending this turn to the end of its baselines (work left over spills into the next). */
  serviceCpuMs: number | null;
  /** The proxy process's CPU ms for its one request. */
  proxyCpuMs: number | null;
  /** The same prompt through Portkey, and its process's CPU ms; null when not replayed there. */
  portkey: number | null;
  portkeyCpuMs: number | null;
}

type Body = Record<string, unknown>;

async function clearRecorded(llm: string): Promise<void> {
  await send("DELETE", `${llm}/_debug/requests`);
}

/**
 * The completion request the service sent for the turn whose user message
 * was `content` (turn messages are unique). Other requests (a summary made
 * off the hot path) may have been recorded too.
 */
async function recordedPrompt(llm: string, content: string): Promise<Body> {
  const res = await send("GET", `${llm}/_debug/requests`);
  const { requests } = JSON.parse(res.body) as { requests: { path: string; body: Body }[] };
  const found = requests.filter((r) => {
    const messages = r.body.messages as { role: string; content: string }[] | undefined;
    const last = messages?.at(-1);
    return r.path.endsWith("/chat/completions") && last?.role === "user" && last.content === content;
  });
  if (found.length !== 1) throw new Error(`expected one completion request for "${content}", got ${found.length} (of ${requests.length})`);
  return found[0].body;
}

function serviceTurn(paths: Paths, chat: Conversation, content: string, mode: Mode): Promise<Timed> {
  return send("POST", `${paths.service}/api/chats/${chat.characterId}/messages`, {
    headers: {
      "content-type": "application/json",
      accept: mode === "stream" ? "text/event-stream" : "application/json",
      authorization: `Bearer ${chat.token}`,
    },
    body: JSON.stringify({ content }),
    probe: mode === "stream" ? serviceFirstToken() : undefined,
  });
}

/** A chat completion straight to an OpenAI-style endpoint (the LLM, or a relay in front of it). */
export function completion(base: string, body: string, mode: Mode, headers: Record<string, string> = {}): Promise<Timed> {
  return send("POST", `${base}/chat/completions`, {
    headers: { "content-type": "application/json", accept: mode === "stream" ? "text/event-stream" : "application/json", ...headers },
    body,
    probe: mode === "stream" ? openaiFirstToken() : undefined,
  });
}

/** A streamed answer's first token, or a JSON answer's whole time; a failed one throws, naming `what`. */
export function figure(res: Timed, mode: Mode, what: string): number {
  if (res.status !== 200) throw new Error(`${what}: status ${res.status}: ${res.body.slice(0, 300)}`);
  if (mode === "json") return res.totalMs;
  if (res.firstMs === null) throw new Error(`${what}: no token in ${res.body.slice(0, 300)}`);
  return res.firstMs;
}

/** One turn on every path (Portkey when `paths.portkey` is set). */
export async function measureTurn(paths: Paths, meters: Meters, chat: Conversation, content: string, mode: Mode): Promise<TurnSample> {
  await clearRecorded(paths.llm);
  const turn = await cpuOf(meters.service, async () => {
    const service = await serviceTurn(paths, chat, content, mode);
    const serviceMs = figure(service, mode, "service");
    if (mode === "stream" && !service.body.includes("\nevent: done\n"))
      throw new Error(`service: stream ended without done: ${service.body.slice(-300)}`);
    const prompt = await recordedPrompt(paths.llm, content);
    // The non-streaming baseline is the model answering the same prompt at once.
    const { stream_options: _dropped, ...rest } = prompt;
    const body = JSON.stringify(mode === "stream" ? prompt : { ...rest, stream: false });
    const direct = figure(await completion(paths.llm, body, mode), mode, "direct");
    const proxied = await cpuOf(meters.proxy, async () => figure(await completion(paths.proxy, body, mode), mode, "proxy"));
    const portkey = paths.portkey;
    const viaPortkey = portkey
      ? await cpuOf(meters.portkey ?? null, async () => figure(await completion(portkey.url, body, mode, portkey.headers), mode, "Portkey"))
      : null;
    const messages = Array.isArray(prompt.messages) ? prompt.messages.length : 0;
    return {
      service: serviceMs,
      direct,
      proxy: proxied.value,
      promptMessages: messages,
      proxyCpuMs: proxied.cpuMs,
      portkey: viaPortkey?.value ?? null,
      portkeyCpuMs: viaPortkey?.cpuMs ?? null,
    };
  });
  return { ...turn.value, serviceCpuMs: turn.cpuMs };
}

/** `count` turns in a row on one conversation (one session runs one turn at a time). */
export async function runTurns(
  paths: Paths,
  meters: Meters,
  chat: Conversation,
  count: number,
  mode: Mode,
  firstTurn = 0,
): Promise<TurnSample[]> {
  const samples: TurnSample[] = [];
  for (let i = 0; i < count; i++) samples.push(await measureTurn(paths, meters, chat, `Hello again, turn ${firstTurn + i + 1}.`, mode));
  return samples;
}
