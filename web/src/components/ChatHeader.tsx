import { type Component, Show } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import Avatar from "./Avatar";
import ConfirmButton from "./ConfirmButton";
import Link from "./Link";

/** Who the user is talking to, with the conversation's own controls. */
const ChatHeader: Component<{ character?: Character; onMemories: () => void; onDelete: () => void }> = (props) => (
  <header class="chat-head">
    <Link href="/chats" class="back" aria-label="Back to chats">
      ‹
    </Link>
    <Avatar name={props.character?.name ?? "…"} url={props.character?.avatarUrl} />
    <div class="chat-title">
      <h1 data-testid="chat-title">{props.character?.name ?? "…"}</h1>
      <Show when={props.character?.tagline}>
        <p class="muted small clamp-1">{props.character?.tagline}</p>
      </Show>
    </div>
    <div class="row">
      <button type="button" data-testid="open-memories" onClick={() => props.onMemories()}>
        Memories
      </button>
      <ConfirmButton data-testid="delete-chat" confirmLabel="Delete chat?" onConfirm={() => props.onDelete()}>
        Delete
      </ConfirmButton>
    </div>
  </header>
);

export default ChatHeader;
