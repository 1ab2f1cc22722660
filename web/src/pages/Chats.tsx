import { type Component, createResource, For, Show } from "solid-js";
import Avatar from "../components/Avatar";
import Link from "../components/Link";
import { listChats } from "../lib/api";
import { describe } from "../lib/errors";
import { relativeTime, snippet } from "../lib/format";

/** The user's conversations, most recent first. */
const Chats: Component = () => {
  const [chats] = createResource(() => listChats().then((list) => [...list].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))));
  return (
    <section>
      <h1>Chats</h1>
      <Show
        when={!chats.error}
        fallback={
          <p class="error" role="alert">
            {describe(chats.error)}
          </p>
        }
      >
        <ul class="chat-list" aria-busy={chats.loading}>
          <For each={chats()}>
            {(chat) => (
              <li>
                <Link href={`/chat/${chat.characterId}`} class="chat-row" data-testid="chat-row">
                  <Avatar name={chat.character.name} url={chat.character.avatarUrl} />
                  <span class="chat-row-body">
                    <strong>{chat.character.name}</strong>
                    <span class="muted clamp-1">
                      {chat.lastMessage
                        ? `${chat.lastMessage.role === "user" ? "You: " : ""}${snippet(chat.lastMessage.content)}`
                        : "No messages yet"}
                    </span>
                  </span>
                  <time class="muted small" datetime={chat.updatedAt}>
                    {relativeTime(chat.updatedAt)}
                  </time>
                </Link>
              </li>
            )}
          </For>
        </ul>
        <Show when={chats()?.length === 0}>
          <p class="empty">
            No conversations yet. <Link href="/characters">Pick a character</Link> to start one.
          </p>
        </Show>
      </Show>
    </section>
  );
};

export default Chats;
