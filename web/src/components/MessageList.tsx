import { type Component, createEffect, For, Show } from "solid-js";
import type { Chat } from "../lib/chat";
import { fillMacros } from "../lib/format";
import Avatar from "./Avatar";
import DraftReply from "./DraftReply";
import ErrorLine from "./ErrorLine";
import Markdown from "./Markdown";
import type { MessageHandlers } from "./MessageActions";
import MessageItem from "./MessageItem";

/**
 * The scrolling history. It follows new text while the reader is at the
 * bottom, lets go when they scroll up, and loads older pages near the top.
 */
const MessageList: Component<{
  chat: Chat;
  charName: string;
  avatarUrl?: string | null;
  greeting: string;
  userName: string;
  handlers: MessageHandlers;
  /** Ids of messages a memory was pinned from. */
  pinned: ReadonlySet<string>;
  /** A message to bring on screen and mark (a search result). */
  focusId: string | null;
}> = (props) => {
  let el!: HTMLDivElement;
  let stick = true;
  /** Where the list last scrolled itself: the reader above it has scrolled up. */
  let pinnedAt = 0;
  const older = async () => {
    if (!props.chat.nextBefore() || props.chat.loadingOlder()) return;
    const fromBottom = el.scrollHeight - el.scrollTop;
    await props.chat.loadOlder();
    el.scrollTop = el.scrollHeight - fromBottom;
  };
  const onScroll = () => {
    stick = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (stick) pinnedAt = el.scrollTop;
    if (el.scrollTop < 150) void older();
  };
  createEffect(() => {
    props.chat.messages();
    props.chat.draftReply();
    props.chat.error();
    // Scroll events come a frame late: a token in between must not undo the reader's scroll up.
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (el.scrollTop + 2 < pinnedAt && !atBottom) stick = false;
    if (props.chat.phase() === "sending") stick = true;
    if (stick) {
      el.scrollTop = el.scrollHeight;
      pinnedAt = el.scrollTop;
    }
    // A first page shorter than the screen cannot be scrolled up: fetch more now.
    if (el.scrollHeight <= el.clientHeight && props.chat.nextBefore()) void older();
  });
  // A search result: once its message is loaded, it is scrolled to, marked and focused; the list stops following the bottom.
  createEffect(() => {
    const id = props.focusId;
    if (!id || !props.chat.messages().some((m) => m.id === id)) return;
    queueMicrotask(() => {
      const target = el.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
      if (!target) return;
      stick = false;
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
      pinnedAt = Number.POSITIVE_INFINITY;
    });
  });
  const busy = () => props.chat.phase() !== "idle";
  const count = () => props.chat.messages().length;
  return (
    <div class="messages" ref={el} onScroll={onScroll} data-testid="messages" aria-live="off">
      <Show when={props.chat.loadingOlder()}>
        <p class="muted center small">Loading older messages…</p>
      </Show>
      {/* The server stores the greeting with the first turn; until then it is shown from the character. */}
      <Show
        when={
          props.chat.phase() !== "loading" && !props.chat.nextBefore() && props.chat.messages()[0]?.role !== "assistant" && props.greeting
        }
      >
        <article class="msg assistant" data-testid="greeting" data-greeting="">
          <div class="msg-with-avatar">
            <Avatar name={props.charName} url={props.avatarUrl} size="small" />
            <Markdown text={fillMacros(props.greeting, props.charName, props.userName)} class="bubble" />
          </div>
        </article>
      </Show>
      <For each={props.chat.messages()}>
        {(m, i) => (
          <MessageItem
            message={m}
            charName={props.charName}
            avatarUrl={props.avatarUrl}
            userName={props.userName}
            last={i() === count() - 1}
            greeting={i() === 0 && m.role === "assistant" && !props.chat.nextBefore()}
            busy={busy()}
            pinned={props.pinned.has(m.id)}
            highlighted={props.focusId === m.id}
            handlers={props.handlers}
          />
        )}
      </For>
      <Show when={props.chat.draftReply() !== null || props.chat.phase() === "sending"}>
        <DraftReply text={props.chat.draftReply()} name={props.charName} />
      </Show>
      <Show when={props.chat.error()}>{(e) => <ErrorLine error={e()} onDismiss={props.chat.dismissError} />}</Show>
    </div>
  );
};

export default MessageList;
