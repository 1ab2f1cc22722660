import { type Component, Show } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import Avatar from "./Avatar";
import Link from "./Link";

/** Who the user is talking to, in which conversation, and the way to the memories. */
const ChatHeader: Component<{ character?: Character; conversation: string; onMemories: () => void; memoryCount: number }> = (props) => (
  <header class="chat-head">
    <Link href="/chats" class="back" aria-label="Back to chats">
      ‹
    </Link>
    <Avatar name={props.character?.name ?? "…"} url={props.character?.avatarUrl} />
    <div class="chat-title">
      <h1 data-testid="chat-title">{props.character?.name ?? "…"}</h1>
      <p class="muted small clamp-1" data-testid="conversation-name">
        {props.conversation}
        <Show when={props.character?.tagline}> · {props.character?.tagline}</Show>
      </p>
    </div>
    <button type="button" data-testid="open-memories" onClick={() => props.onMemories()}>
      Memories<Show when={props.memoryCount > 0}> ({props.memoryCount})</Show>
    </button>
  </header>
);

export default ChatHeader;
