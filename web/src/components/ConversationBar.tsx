import { type Component, createSignal, For, Show } from "solid-js";
import type { ChatInfo, Persona } from "../../../worker/shared/wire";
import { conversationName } from "../lib/conversations";
import ConfirmButton from "./ConfirmButton";
import Menu from "./Menu";

/**
 * The conversation's own controls under the chat's header: switch to another
 * conversation with the character, start a new one, rename or delete this
 * one, and choose who the user is in it (a persona, or the profile).
 */
const ConversationBar: Component<{
  chatId: string;
  charName: string;
  conversations: ChatInfo[];
  personas: Persona[];
  onSwitch: (chatId: string) => void;
  onNew: () => void;
  onRename: (title: string) => Promise<boolean>;
  onDelete: () => void;
  onPersona: (personaId: string | null) => void;
}> = (props) => {
  const [renaming, setRenaming] = createSignal(false);
  const [title, setTitle] = createSignal("");
  const current = () => props.conversations.find((c) => c.id === props.chatId);
  const main = () => props.chatId === "main";
  const rename = async (e: SubmitEvent) => {
    e.preventDefault();
    if (await props.onRename(title().trim())) setRenaming(false);
  };
  return (
    <div class="chat-bar" data-testid="conversation-bar">
      <Show
        when={!renaming()}
        fallback={
          <form class="row rename" onSubmit={rename}>
            <label for="chat-title-input" class="visually-hidden">
              Conversation title
            </label>
            <input
              id="chat-title-input"
              data-testid="rename-input"
              maxLength={200}
              value={title()}
              placeholder="A title for this chat"
              onInput={(e) => setTitle(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key !== "Escape") return;
                e.preventDefault();
                setRenaming(false);
              }}
            />
            <button type="submit" class="primary">
              Save
            </button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        }
      >
        <label class="inline small">
          <span class="visually-hidden">Conversation</span>
          <select data-testid="conversation-select" onChange={(e) => props.onSwitch(e.currentTarget.value)}>
            <Show when={!current()}>
              <option value={props.chatId}>This chat</option>
            </Show>
            <For each={props.conversations}>
              {(c) => (
                <option value={c.id} selected={c.id === props.chatId}>
                  {conversationName(c)}
                </option>
              )}
            </For>
          </select>
        </label>
        <button type="button" data-testid="new-chat" onClick={() => props.onNew()}>
          New chat
        </button>
        <label class="inline small">
          <span>You are</span>
          <select data-testid="persona-select" onChange={(e) => props.onPersona(e.currentTarget.value || null)}>
            <option value="" selected={!current()?.persona}>
              your profile
            </option>
            <For each={props.personas}>
              {(p) => (
                <option value={p.id} selected={current()?.persona?.id === p.id}>
                  {p.name}
                </option>
              )}
            </For>
          </select>
        </label>
        <Menu label="Chat options" data-testid="chat-menu">
          <button
            type="button"
            role="menuitem"
            data-testid="rename-chat"
            onClick={() => {
              setTitle(current()?.title ?? "");
              setRenaming(true);
              queueMicrotask(() => document.getElementById("chat-title-input")?.focus());
            }}
          >
            Rename
          </button>
          <ConfirmButton
            role="menuitem"
            data-testid="delete-chat"
            confirmLabel={main() ? `Delete every chat with ${props.charName}? Press again` : "Delete this chat? Press again"}
            onConfirm={() => props.onDelete()}
          >
            {main() ? `Delete all chats with ${props.charName}` : "Delete this chat"}
          </ConfirmButton>
        </Menu>
      </Show>
    </div>
  );
};

export default ConversationBar;
