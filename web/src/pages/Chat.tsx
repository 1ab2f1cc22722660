import { type Component, createMemo, createResource, createSignal, Match, onCleanup, Show, Switch } from "solid-js";
import ChatHeader from "../components/ChatHeader";
import Composer from "../components/Composer";
import ConversationBar from "../components/ConversationBar";
import Drawer from "../components/Drawer";
import LedgerPanel from "../components/LedgerPanel";
import MemoryPanel from "../components/MemoryPanel";
import MessageList from "../components/MessageList";
import PinnedNote from "../components/PinnedNote";
import { getCharacter } from "../lib/api";
import { useAuth } from "../lib/auth";
import { createChat } from "../lib/chat";
import * as api from "../lib/chat-api";
import { applyLive } from "../lib/chat-live";
import { conversationName } from "../lib/conversations";
import { describe } from "../lib/errors";
import { openLive } from "../lib/live";
import { createMemories } from "../lib/memories";
import { navigate, queryParam } from "../lib/router";

type Panel = { kind: "memories" } | { kind: "ledger"; messageId: string } | null;

/** A conversation with one character: history, the live reply, its controls and side panels, in step with every other tab. */
const Chat: Component<{ characterId: string; chatId: string }> = (props) => {
  const auth = useAuth();
  const ref: api.ChatRef = { characterId: props.characterId, chatId: props.chatId };
  const [character] = createResource(() => props.characterId, getCharacter);
  const [conversations, { refetch: reloadConversations }] = createResource(() => api.listConversations(ref.characterId).catch(() => []));
  const [personas] = createResource(() => api.listPersonas().catch(() => []));
  const chat = createChat(ref);
  const memories = createMemories(ref);
  const [panel, setPanel] = createSignal<Panel>(null);
  const [focusId, setFocusId] = createSignal<string | null>(null);
  const name = () => character()?.name ?? "The character";
  const busy = () => ["sending", "streaming", "stopping"].includes(chat.phase());
  const pinned = createMemo(() => new Set((memories.list() ?? []).flatMap((m) => (m.sourceMessageId ? [m.sourceMessageId] : []))));
  const current = () => conversations()?.find((c) => c.id === ref.chatId);

  const close = openLive(ref.characterId, (e) =>
    applyLive(e, { chat, memories: () => void memories.reload(), conversations: () => void reloadConversations() }),
  );
  onCleanup(close);

  // Escape stops a reply, unless something open (a panel, a menu, an editor) takes it first.
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || e.defaultPrevented || panel() || !busy() || chat.phase() === "stopping") return;
    e.preventDefault();
    void chat.stop();
  };
  document.addEventListener("keydown", onKey);
  onCleanup(() => document.removeEventListener("keydown", onKey));

  // A search result: load older pages until its message is there, then show it.
  const jump = queryParam("m");
  if (jump) {
    void chat.loaded.then(async () => {
      if (await chat.reveal(jump)) setFocusId(jump);
      else chat.report("That message is no longer in this conversation.");
    });
  }

  const fail = (err: unknown) => chat.report(describe(err));
  const go = (chatId: string, messageId?: string) => navigate(api.chatHref({ characterId: ref.characterId, chatId }, messageId));
  const newChat = () => api.newConversation(ref.characterId, {}).then((c) => go(c.id), fail);
  const branch = (messageId: string) =>
    api.newConversation(ref.characterId, { fromMessageId: messageId, fromChat: ref.chatId }).then((c) => go(c.id), fail);
  const rename = async (title: string) => {
    try {
      await api.renameConversation(ref, title);
      void reloadConversations();
      return true;
    } catch (err) {
      fail(err);
      return false;
    }
  };
  const remove = () => api.deleteConversation(ref).then(() => (ref.chatId === api.MAIN ? navigate("/chats") : go(api.MAIN)), fail);
  const choosePersona = (id: string | null) => api.choosePersona(ref, id).then(() => void reloadConversations(), fail);
  const pin = async (id: string) => {
    if (await memories.pin(id)) setPanel({ kind: "memories" });
  };
  return (
    <Show
      when={!character.error}
      fallback={
        <p class="error center" role="alert">
          {describe(character.error)}
        </p>
      }
    >
      <section class="chat" data-testid="chat" data-phase={chat.phase()} data-chat={ref.chatId}>
        <ChatHeader
          character={character()}
          conversation={current() ? conversationName(current()!) : ""}
          memoryCount={memories.list()?.length ?? 0}
          onMemories={() => setPanel({ kind: "memories" })}
        />
        <ConversationBar
          chatId={ref.chatId}
          charName={name()}
          conversations={conversations() ?? []}
          personas={personas() ?? []}
          onSwitch={(id) => go(id)}
          onNew={newChat}
          onRename={rename}
          onDelete={remove}
          onPersona={choosePersona}
        />
        <MessageList
          chat={chat}
          charName={name()}
          avatarUrl={character()?.avatarUrl}
          greeting={character()?.greeting ?? ""}
          userName={current()?.persona?.name || auth.user()?.displayName || auth.user()?.username || "you"}
          pinned={pinned()}
          focusId={focusId()}
          handlers={{ ...chat, pin, branch, context: (messageId) => setPanel({ kind: "ledger", messageId }) }}
        />
        <PinnedNote memories={memories} onShow={() => setPanel({ kind: "memories" })} />
        <Composer
          draft={chat.composer}
          maxTokens={chat.maxTokens}
          busy={busy()}
          loading={chat.phase() === "loading"}
          stopping={chat.phase() === "stopping"}
          placeholder={`Message ${name()}`}
          onSend={chat.send}
          onStop={chat.stop}
        />
        <Switch>
          <Match when={panel()?.kind === "memories"}>
            <Drawer title="Pinned memories" onClose={() => setPanel(null)} data-testid="memories-panel">
              <MemoryPanel memories={memories} />
            </Drawer>
          </Match>
          <Match when={panel()?.kind === "ledger" && (panel() as { messageId: string }).messageId} keyed>
            {(messageId) => (
              <Drawer title="What the character remembered" onClose={() => setPanel(null)} data-testid="ledger-panel">
                <LedgerPanel
                  characterId={ref.characterId}
                  chatId={ref.chatId}
                  messageId={messageId}
                  messages={chat.messages()}
                  memories={memories.list() ?? []}
                  charName={name()}
                />
              </Drawer>
            )}
          </Match>
        </Switch>
      </section>
    </Show>
  );
};

export default Chat;
