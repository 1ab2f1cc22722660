/** The concurrency benchmark's quiet phase: one stream at a time (bench/concurrency.ts). */
import type { QuietFigures } from "./concurrency-report";
import { send } from "./http-client";
import { rssKb } from "./processes";
import { seedHistory } from "./seed";
import { type BenchDatabase, type BenchUser, createCharacter } from "./service";
import { pairedDiff, summarize } from "./stats";
import { type Conversation, completion, figure, measureTurn, type Paths } from "./turns";

/**
 * One stream at a time on a fresh service: first token added over direct on
 * a warm conversation (each prompt replayed directly, bench/turns.ts), the
 * first turn of conversations whose history is only in PostgreSQL against
 * their second, and workerd's resident memory grown per conversation opened
 * (all opened within seconds, before any idles long enough to be evicted);
 * and, as the floor, first token added by the workerd DO relay (worker →
 * Durable Object → upstream, doing nothing else).
 */
export async function measureQuiet(
  service: { url: string; pids: number[]; user: BenchUser },
  urls: { llm: string; proxy: string; floor: string },
  db: BenchDatabase,
  settings: { quietTurns: number; coldConversations: number; messagesPerConversation: number },
  log: (msg: string) => void,
): Promise<QuietFigures> {
  const turnPaths: Paths = { llm: urls.llm, proxy: urls.proxy, service: service.url };
  const none = { service: null, proxy: null };
  const hot = { token: service.user.token, characterId: await createCharacter(service.url, service.user, "quiet") };
  for (let i = 0; i < 5; i++) await measureTurn(turnPaths, none, hot, `Warm-up turn ${i}. [[long:8]]`, "stream");
  const samples = [];
  for (let i = 0; i < settings.quietTurns; i++)
    samples.push(await measureTurn(turnPaths, none, hot, `Quiet turn ${i}. [[long:8]]`, "stream"));
  const seeded = async (label: string): Promise<Conversation[]> => {
    const chats: Conversation[] = [];
    for (let i = 0; i < settings.coldConversations; i++) {
      const chat = { token: service.user.token, characterId: await createCharacter(service.url, service.user, `${label} ${i}`) };
      await seedHistory(db.sql, { userId: service.user.userId, characterId: chat.characterId }, settings.messagesPerConversation);
      chats.push(chat);
    }
    return chats;
  };
  // Memory: every object opened within a few seconds (miniflare evicts an object idle for about 10 s, as production does).
  const idle = await seeded("idle");
  await new Promise((r) => setTimeout(r, 1000));
  const rssBefore = rssKb(service.pids);
  for (let i = 0; i < idle.length; i += 8)
    await Promise.all(idle.slice(i, i + 8).map((chat, j) => openTurn(service.url, chat, `Idle turn ${i + j}.`)));
  // Idle: the replies copied to PostgreSQL and the objects' connections let go (1 s after their last call).
  await new Promise((r) => setTimeout(r, 3000));
  const rssAfter = rssKb(service.pids);
  // Latency: each conversation's second turn right after its first (a turn after a long pause would meet a restarted object).
  const cold = await seeded("cold");
  const coldSamples = [];
  const warmSamples = [];
  for (const [i, chat] of cold.entries()) {
    coldSamples.push(await measureTurn(turnPaths, none, chat, `Cold turn ${i}. [[long:8]]`, "stream"));
    warmSamples.push(await measureTurn(turnPaths, none, chat, `Warm turn ${i}. [[long:8]]`, "stream"));
  }
  const added = (s: { service: number; direct: number }[]) =>
    summarize(
      pairedDiff(
        s.map((x) => x.service),
        s.map((x) => x.direct),
      ),
    );
  const floor = [];
  for (let i = 0; i < settings.quietTurns; i++) floor.push(await relayAdded(urls.llm, urls.floor, `Relay turn ${i}. [[long:8]]`));
  const quiet = {
    added: added(samples),
    coldAdded: added(coldSamples),
    warmAdded: added(warmSamples),
    kbPerConversation: idle.length ? (rssAfter - rssBefore) / idle.length : Number.NaN,
    messagesPerConversation: settings.messagesPerConversation,
    floorAdded: summarize(floor),
  };
  log(
    `quiet: added p50 ${quiet.added.p50.toFixed(2)} ms; cold ${quiet.coldAdded.p50.toFixed(2)} / warm ${quiet.warmAdded.p50.toFixed(2)} ms; ` +
      `${quiet.kbPerConversation.toFixed(0)} KB per conversation; DO relay alone added p50 ${quiet.floorAdded.p50.toFixed(2)} ms`,
  );
  return quiet;
}

/** One JSON turn, to open a conversation's object. */
async function openTurn(base: string, chat: Conversation, content: string): Promise<void> {
  const res = await send("POST", `${base}/api/chats/${chat.characterId}/messages`, {
    headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${chat.token}` },
    body: JSON.stringify({ content: `${content} [[long:8]]` }),
  });
  if (res.status !== 200) throw new Error(`turn: status ${res.status}: ${res.body.slice(0, 200)}`);
}

/** First token through `via` minus straight to the LLM, for the same short streamed request. */
async function relayAdded(llm: string, via: string, content: string): Promise<number> {
  const body = JSON.stringify({ model: "development", stream: true, messages: [{ role: "user", content }] });
  const direct = figure(await completion(llm, body, "stream"), "stream", "direct");
  return figure(await completion(via, body, "stream"), "stream", "DO relay") - direct;
}
