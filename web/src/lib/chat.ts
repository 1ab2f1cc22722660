/**
 * One conversation in the browser: history pages, the streamed reply, and
 * the user's actions on it (send, stop, retry, regenerate, swipe, edit,
 * rewind). Streams are followed by turn.ts; state lives in chat-state.ts.
 */
import { onCleanup } from "solid-js";
import type { Message } from "../../../worker/shared/wire";
import * as api from "./api";
import { createChatState } from "./chat-state";
import { describe } from "./errors";
import { createTurnRunner } from "./turn";

export type { ChatError, Phase } from "./chat-state";

export function createChat(characterId: string) {
  const s = createChatState();
  const page = new AbortController();
  onCleanup(() => page.abort());
  const { run, resume } = createTurnRunner(characterId, s, page.signal);
  const report = (err: unknown, retry?: () => void) => s.setError({ message: describe(err), retry });

  async function send(content: string, clientMessageId: string = crypto.randomUUID()) {
    const localId = `local-${clientMessageId}`;
    const first = s.messages()[0]?.role !== "assistant";
    if (!s.messages().some((m) => m.id === localId)) {
      s.upsert({ id: localId, role: "user", content, status: "complete", createdAt: new Date().toISOString() });
    }
    // The same clientMessageId on Retry: the server answers once per message.
    await run(() => api.sendMessage(characterId, content, clientMessageId, page.signal), {
      localId,
      retry: () => void send(content, clientMessageId),
    });
    // The first turn also stored the greeting: fetch the page to show it in place.
    if (first && !s.nextBefore()) await reloadLatest();
  }

  /** Refetches the newest page and puts it in place; older pages already loaded stay. */
  async function reloadLatest() {
    const latest = await api.listMessages(characterId).catch(() => null);
    if (!latest || s.phase() !== "idle" || page.signal.aborted) return;
    // Message ids grow with time, so the page's first id splits old from new.
    const floor = latest.messages[0]?.id;
    const older = floor ? s.messages().filter((m) => !m.id.startsWith("local-") && m.id < floor) : [];
    s.setMessages([...older, ...latest.messages]);
    if (older.length === 0) s.setNextBefore(latest.nextBefore);
  }

  async function regenerate() {
    const ms = s.messages();
    const old = ms.at(-1)?.role === "assistant" ? ms.at(-1) : undefined;
    if (old) s.setMessages(ms.slice(0, -1));
    await run(() => api.regenerate(characterId, page.signal), {
      retry: () => void regenerate(),
      restore: () => old && !s.messages().some((m) => m.id === old.id) && s.upsert(old),
    });
    // The page carries the reply's other versions, for swiping.
    await reloadLatest();
  }

  /** The edited message is stored anew: it and everything after it are replaced. */
  function edit(messageId: string, content: string) {
    const ms = s.messages();
    const i = ms.findIndex((m) => m.id === messageId);
    if (i < 0) return;
    const localId = `local-edit-${crypto.randomUUID()}`;
    s.setMessages([...ms.slice(0, i), { ...ms[i], id: localId, content }]);
    void run(() => api.editMessage(characterId, messageId, content, page.signal), {
      localId,
      retry: () => void regenerate(),
      restore: () => s.setMessages(ms),
    });
  }

  async function stop() {
    s.setPhase("stopping");
    await api.cancelTurn(characterId).catch((err) => report(err));
  }

  async function choose(current: Message, alternativeId: string) {
    await api.chooseAlternative(characterId, alternativeId).then(
      (m) => s.upsert(m, current.id),
      (err) => report(err),
    );
  }

  async function rewind(messageId: string) {
    await api.rewind(characterId, messageId).then(
      () => s.setMessages((ms) => ms.slice(0, ms.findIndex((m) => m.id === messageId) + 1)),
      (err) => report(err),
    );
  }

  async function loadOlder() {
    const before = s.nextBefore();
    if (!before || s.loadingOlder()) return;
    s.setLoadingOlder(true);
    try {
      const older = await api.listMessages(characterId, before);
      s.setMessages((ms) => [...older.messages.filter((m) => !ms.some((x) => x.id === m.id)), ...ms]);
      s.setNextBefore(older.nextBefore);
    } catch (err) {
      report(err, () => void loadOlder());
    } finally {
      s.setLoadingOlder(false);
    }
  }

  async function load() {
    try {
      const latest = await api.listMessages(characterId);
      s.setMessages(latest.messages);
      s.setNextBefore(latest.nextBefore);
      s.setPhase("idle");
      await resume(() => void regenerate());
    } catch (err) {
      s.setPhase("idle");
      report(err, () => void load());
    }
  }
  void load();

  return {
    messages: s.messages,
    draft: s.draft,
    phase: s.phase,
    error: s.error,
    nextBefore: s.nextBefore,
    loadingOlder: s.loadingOlder,
    send,
    stop,
    regenerate,
    edit,
    choose,
    rewind,
    loadOlder,
    dismissError: () => s.setError(null),
    report: (message: string) => s.setError({ message }),
  };
}

export type Chat = ReturnType<typeof createChat>;
