/**
 * One conversation in the browser: history pages, the streamed reply, the
 * message box, and the user's actions on it (send, stop, retry, regenerate,
 * continue, swipe, edit, delete, rewind, branch). Streams are followed by
 * turn.ts; what other tabs did arrives through chat-live.ts; state lives in
 * chat-state.ts.
 */
import { createSignal, onCleanup } from "solid-js";
import type { Message } from "../../../worker/shared/wire";
import * as api from "./chat-api";
import { createChatState, isLocal } from "./chat-state";
import { createDraft } from "./drafts";
import { describe } from "./errors";
import { createTurnRunner } from "./turn";

export type { ChatError, Phase } from "./chat-state";

export function createChat(ref: api.ChatRef) {
  const s = createChatState();
  const page = new AbortController();
  onCleanup(() => page.abort());
  const { run, resume, busy } = createTurnRunner(ref, s, page.signal);
  const draft = createDraft(ref);
  /** Another tab changed the history while a reply streamed here: read it again once idle. */
  let stale = false;
  const [maxTokens, setMaxTokens] = createSignal<number | null>(null);
  const report = (err: unknown, retry?: () => void) => s.setError({ message: describe(err), retry });
  const follow = async () => {
    await resume(() => void regenerate());
    if (stale) await reloadLatest();
  };

  /** Sends the message box's text (or `content`, on Retry); a failed send puts the text back in the box. */
  async function send(content: string = draft.sending(), clientMessageId: string = crypto.randomUUID()) {
    if (!content.trim()) return;
    const localId = `local-${clientMessageId}`;
    const first = s.messages()[0]?.role !== "assistant";
    if (!s.messages().some((m) => m.id === localId)) {
      s.upsert({ id: localId, role: "user", content, status: "complete", createdAt: new Date().toISOString() });
    }
    // The same clientMessageId on Retry: the server answers once per message.
    await run(() => api.sendMessage(ref, content, clientMessageId, page.signal), {
      localId,
      retry: () => void send(content, clientMessageId),
      restore: () => {
        if (!s.messages().some((m) => m.id === localId)) return;
        s.remove(localId);
        draft.restore(content);
        // A refusal for length may mean the limit moved (the character's sheet changed): read it again.
        void api.listMessages(ref, null, 1).then(
          (p) => p.maxMessageTokens && setMaxTokens(p.maxMessageTokens),
          () => {},
        );
      },
    });
    if (!s.messages().some((m) => m.id === localId)) draft.taken();
    // The first turn also stored the greeting: fetch the page to show it in place.
    if (stale || (first && !s.nextBefore())) await reloadLatest();
  }

  /** Refetches the newest page and puts it in place; older pages already loaded stay. While a reply streams, waits for it. */
  async function reloadLatest() {
    if (busy()) {
      stale = true;
      return;
    }
    stale = false;
    const latest = await api.listMessages(ref).catch(() => null);
    if (!latest || busy() || page.signal.aborted) return;
    if (latest.maxMessageTokens) setMaxTokens(latest.maxMessageTokens);
    // Message ids grow with time, so the page's first id splits old from new.
    const floor = latest.messages[0]?.id;
    const older = floor ? s.messages().filter((m) => !isLocal(m.id) && m.id < floor) : [];
    const pending = s.messages().filter((m) => isLocal(m.id));
    s.setMessages([...older, ...latest.messages, ...pending]);
    if (older.length === 0) s.setNextBefore(latest.nextBefore);
  }

  /** Runs a reply-making action, then reads the page again (it carries the reply's other versions). */
  async function reply(open: () => Promise<api.TurnStreamOrNull>, retry: () => void, restore?: () => void) {
    await run(open, { retry, restore });
    await reloadLatest();
    if (stale) await reloadLatest();
  }

  /** Another version of the last reply; on a user message left without one, its first reply. */
  function regenerate(): Promise<void> {
    const ms = s.messages();
    const old = ms.at(-1)?.role === "assistant" ? ms.at(-1) : undefined;
    if (old) s.setMessages(ms.slice(0, -1));
    return reply(
      () => api.regenerate(ref, page.signal),
      () => void regenerate(),
      () => old && !s.messages().some((m) => m.id === old.id) && s.upsert(old),
    );
  }

  /** More of a cut-off last reply: it streams on from where it stopped. */
  function continueReply(): Promise<void> {
    const last = s.messages().at(-1);
    if (last?.role !== "assistant") return Promise.resolve();
    s.remove(last.id);
    s.setDraft(last.content);
    return reply(
      () => api.continueReply(ref, page.signal),
      () => void continueReply(),
      () => !s.messages().some((m) => m.id === last.id) && s.upsert(last),
    );
  }

  /** The edited user message is stored anew: it and everything after it are replaced. */
  function edit(messageId: string, content: string) {
    const ms = s.messages();
    const i = ms.findIndex((m) => m.id === messageId);
    if (i < 0) return;
    const localId = `local-edit-${crypto.randomUUID()}`;
    s.setMessages([...ms.slice(0, i), { ...ms[i], id: localId, content }]);
    void run(() => api.editMessage(ref, messageId, content, page.signal), {
      localId,
      retry: () => void regenerate(),
      restore: () => s.setMessages(ms),
    });
  }

  /** Changes what the character said; no new reply is written. */
  const editReply = (messageId: string, content: string) =>
    api.editReply(ref, messageId, content).then(
      (m) => s.upsert(m),
      (err) => report(err),
    );

  /** Deletes a message (a user message with its replies). */
  const deleteMessage = (messageId: string) =>
    api.deleteMessage(ref, messageId).then(
      () => reloadLatest(),
      (err) => report(err),
    );

  async function stop() {
    s.setPhase("stopping");
    await api.cancelTurn(ref).catch((err) => report(err));
  }

  const choose = (current: Message, alternativeId: string) =>
    api.chooseAlternative(ref, alternativeId).then(
      (m) => s.upsert(m, current.id),
      (err) => report(err),
    );

  const rewind = (messageId: string) =>
    api.rewind(ref, messageId).then(
      () => s.setMessages((ms) => ms.slice(0, ms.findIndex((m) => m.id === messageId) + 1)),
      (err) => report(err),
    );

  async function loadOlder(): Promise<boolean> {
    const before = s.nextBefore();
    if (!before || s.loadingOlder()) return false;
    s.setLoadingOlder(true);
    try {
      const older = await api.listMessages(ref, before);
      s.setMessages((ms) => [...older.messages.filter((m) => !ms.some((x) => x.id === m.id)), ...ms]);
      s.setNextBefore(older.nextBefore);
      return true;
    } catch (err) {
      report(err, () => void loadOlder());
      return false;
    } finally {
      s.setLoadingOlder(false);
    }
  }

  /** Loads older pages until message `id` is among the loaded ones; false when it is not in this conversation. */
  async function reveal(id: string): Promise<boolean> {
    while (!s.messages().some((m) => m.id === id)) {
      if (!s.nextBefore()) return false;
      if (!(await loadOlder())) return false;
    }
    return true;
  }

  async function load() {
    try {
      const latest = await api.listMessages(ref);
      s.setMessages(latest.messages);
      s.setNextBefore(latest.nextBefore);
      if (latest.maxMessageTokens) setMaxTokens(latest.maxMessageTokens);
      s.setPhase("idle");
      await follow();
    } catch (err) {
      s.setPhase("idle");
      report(err, () => void load());
    }
  }
  const loaded = load();

  return {
    ref,
    state: s,
    messages: s.messages,
    draftReply: s.draft,
    phase: s.phase,
    error: s.error,
    nextBefore: s.nextBefore,
    loadingOlder: s.loadingOlder,
    composer: draft,
    maxTokens,
    loaded,
    busy,
    send: () => send(),
    stop,
    regenerate,
    continueReply,
    edit,
    editReply,
    deleteMessage,
    choose,
    rewind,
    loadOlder,
    reveal,
    reloadLatest,
    follow,
    dismissError: () => s.setError(null),
    report: (message: string) => s.setError({ message }),
  };
}

export type Chat = ReturnType<typeof createChat>;
