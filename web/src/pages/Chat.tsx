import { type Component, createResource, createSignal, Match, Show, Switch } from "solid-js";
import ChatHeader from "../components/ChatHeader";
import Composer from "../components/Composer";
import Drawer from "../components/Drawer";
import LedgerPanel from "../components/LedgerPanel";
import MemoryPanel from "../components/MemoryPanel";
import MessageList from "../components/MessageList";
import { deleteChat, getCharacter } from "../lib/api";
import { useAuth } from "../lib/auth";
import { createChat } from "../lib/chat";
import { describe } from "../lib/errors";
import { createMemories } from "../lib/memories";
import { navigate } from "../lib/router";

type Panel = { kind: "memories" } | { kind: "ledger"; messageId: string } | null;

/** A conversation with one character: history, the live reply, and its side panels. */
const Chat: Component<{ characterId: string }> = (props) => {
  const auth = useAuth();
  const [character] = createResource(() => props.characterId, getCharacter);
  const chat = createChat(props.characterId);
  const memories = createMemories(props.characterId);
  const [panel, setPanel] = createSignal<Panel>(null);
  const name = () => character()?.name ?? "The character";
  const busy = () => ["sending", "streaming", "stopping"].includes(chat.phase());
  const remove = () =>
    deleteChat(props.characterId).then(
      () => navigate("/chats"),
      (err) => chat.report(describe(err)),
    );
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
      <section class="chat" data-testid="chat" data-phase={chat.phase()}>
        <ChatHeader character={character()} onMemories={() => setPanel({ kind: "memories" })} onDelete={remove} />
        <MessageList
          chat={chat}
          charName={name()}
          avatarUrl={character()?.avatarUrl}
          greeting={character()?.greeting ?? ""}
          userName={auth.user()?.displayName || auth.user()?.username || "you"}
          handlers={{ ...chat, pin, context: (messageId) => setPanel({ kind: "ledger", messageId }) }}
        />
        <Composer
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
                <LedgerPanel characterId={props.characterId} messageId={messageId} messages={chat.messages()} />
              </Drawer>
            )}
          </Match>
        </Switch>
      </section>
    </Show>
  );
};

export default Chat;
