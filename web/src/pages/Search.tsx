import { type Component, createResource, createSignal, For, Show } from "solid-js";
import Link from "../components/Link";
import { chatHref, search } from "../lib/chat-api";
import { describe } from "../lib/errors";
import { relativeTime } from "../lib/format";
import { navigate, queryParam } from "../lib/router";
import { markedParts } from "../lib/snippet-marks";

/** Search inside one's own conversations; a result opens its conversation at the message. */
const Search: Component = () => {
  const [text, setText] = createSignal(queryParam("q") ?? "");
  const [error, setError] = createSignal("");
  const [results] = createResource(() => queryParam("q")?.trim() || null, search);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const q = text().trim();
    if (!q) return setError("Type a word or two to search for.");
    if (q.length > 200) return setError("Search for at most 200 characters.");
    setError("");
    navigate(`/search?${new URLSearchParams({ q })}`);
  };
  return (
    <section>
      <h1>Search your chats</h1>
      <form class="filters" aria-label="Search your conversations" onSubmit={submit} novalidate>
        <input
          type="search"
          class="search"
          data-testid="search-input"
          aria-label="Search your conversations"
          aria-invalid={error() ? true : undefined}
          aria-describedby={error() ? "search-error" : undefined}
          placeholder="Words from any of your conversations"
          value={text()}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <Show when={error()}>
        <p id="search-error" class="error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={results.error}>
        <p class="error" role="alert">
          {describe(results.error)}
        </p>
      </Show>
      <ul class="chat-list" aria-busy={results.loading} data-testid="search-results">
        <For each={results()}>
          {(hit) => (
            <li>
              <Link href={chatHref(hit, hit.message.id)} class="chat-row" data-testid="search-hit">
                <span class="chat-row-body">
                  <strong>
                    {hit.characterName}
                    <Show when={hit.chatTitle}>
                      <span class="muted"> · {hit.chatTitle}</span>
                    </Show>
                  </strong>
                  <span class="clamp-2">
                    {hit.message.role === "user" ? "You: " : ""}
                    <For each={markedParts(hit.snippet)}>{(p) => (p.mark ? <mark>{p.text}</mark> : p.text)}</For>
                  </span>
                </span>
                <time class="muted small" datetime={hit.message.createdAt}>
                  {relativeTime(hit.message.createdAt)}
                </time>
              </Link>
            </li>
          )}
        </For>
      </ul>
      <Show when={results()?.length === 0}>
        <p class="empty">Nothing in your conversations matches “{queryParam("q")}”.</p>
      </Show>
    </section>
  );
};

export default Search;
