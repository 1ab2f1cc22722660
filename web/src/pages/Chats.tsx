import { type Component, createResource, For, onCleanup, Show } from "solid-js";
import Avatar from "../components/Avatar";
import Link from "../components/Link";
import { chatHref, listChats, MAIN } from "../lib/chat-api";
import { describe } from "../lib/errors";
import { relativeTime, snippet } from "../lib/format";

/** Every one of the user's conversations (several per character when there are), most recent first. */
const Chats: Component = () => {
  const [chats, { refetch }] = createResource(() =>
    listChats().then((list) => [...list].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))),
  );
  // Coming back to the tab: other tabs or devices may have chatted meanwhile.
  const onVisible = () => document.visibilityState === "visible" && void refetch();
  document.addEventListener("visibilitychange", onVisible);
  onCleanup(() => document.removeEventListener("visibilitychange", onVisible));
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
                <Link href={chatHref(chat)} class="chat-row" data-testid="chat-row">
                  <Avatar name={chat.character.name} url={chat.character.avatarUrl} />
                  <span class="chat-row-body">
                    <strong>
                      {chat.character.name}
                      <Show when={chat.chatId !== MAIN || chat.title}>
                        <span class="muted"> · {chat.title || "another chat"}</span>
                      </Show>
                    </strong>
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
