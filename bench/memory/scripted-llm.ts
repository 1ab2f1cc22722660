/**
 * The benchmark's side of the development LLM's scripted mode
 * (dev/dev-llm-script.ts): queue the reply of the turn about to be
 * replayed, and read the prompts that arrived since a sequence number, so
 * a question's prompt is found among a handful of records.
 */
import { send } from "../http-client";

export interface ChatPrompt {
  seq: number;
  messages: { role: string; content: string }[];
}

/** Queues `reply` for the next prompt whose last user message is `lastUser` (and switches the server to scripted mode). */
export async function scriptReply(llmUrl: string, lastUser: string, reply: string): Promise<void> {
  await scriptReplies(llmUrl, [{ lastUser, reply }]);
}

/** Switches the server to scripted mode with these replies queued (none: every prompt is answered `-`). */
export async function scriptReplies(llmUrl: string, replies: { lastUser: string; reply: string }[]): Promise<void> {
  const res = await send("POST", `${llmUrl}/_debug/script`, {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ replies }),
  });
  if (res.status !== 200) throw new Error(`script: ${res.status} ${res.body}`);
}

/** The newest sequence number of the server's request log. */
export async function currentSeq(llmUrl: string): Promise<number> {
  return (await promptsAfter(llmUrl, Number.MAX_SAFE_INTEGER)).total;
}

/** The chat prompts recorded after `seq` (0: all the log still holds), and the newest sequence number. */
export async function promptsAfter(llmUrl: string, seq: number): Promise<{ total: number; prompts: ChatPrompt[] }> {
  const res = await send("GET", `${llmUrl}/_debug/requests?after=${seq}`);
  if (res.status !== 200) throw new Error(`requests: ${res.status}`);
  const body = JSON.parse(res.body) as {
    total: number;
    requests: { seq: number; path: string; body: { messages?: ChatPrompt["messages"] } }[];
  };
  const prompts = body.requests
    .filter((r) => r.path.endsWith("/chat/completions") && Array.isArray(r.body?.messages))
    .map((r) => ({ seq: r.seq, messages: r.body.messages! }));
  return { total: body.total, prompts };
}

/** The one prompt among `prompts` whose last message is `text` (a summary request never ends with a turn's text). */
export function promptFor(prompts: ChatPrompt[], text: string): ChatPrompt {
  const found = prompts.filter((p) => p.messages.at(-1)?.content === text);
  if (found.length !== 1) throw new Error(`expected one prompt ending with the turn's text, found ${found.length}`);
  return found[0];
}
