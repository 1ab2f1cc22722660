import { type Component, createSignal, Show } from "solid-js";
import type { Message } from "../../../worker/shared/wire";
import { fillMacros } from "../lib/format";
import Avatar from "./Avatar";
import Markdown from "./Markdown";
import MessageActions, { type MessageHandlers } from "./MessageActions";
import MessageEditor from "./MessageEditor";

const STATUS: Record<string, string> = { cancelled: "stopped", interrupted: "interrupted", error: "failed" };

/** One message: the user's as plain text, the character's as sanitised Markdown. */
const MessageItem: Component<{
  message: Message;
  charName: string;
  /** The character's picture, shown beside its messages. */
  avatarUrl?: string | null;
  userName: string;
  last: boolean;
  greeting: boolean;
  busy: boolean;
  /** A memory was pinned from this message. */
  pinned: boolean;
  /** The message a search jumped to. */
  highlighted: boolean;
  handlers: MessageHandlers;
}> = (props) => {
  const [editing, setEditing] = createSignal(false);
  const text = () => fillMacros(props.message.content, props.charName, props.userName);
  const assistant = () => props.message.role === "assistant";
  const save = (t: string) => {
    setEditing(false);
    if (assistant()) props.handlers.editReply(props.message.id, t);
    else props.handlers.edit(props.message.id, t);
  };
  return (
    <article
      id={`msg-${props.message.id}`}
      tabindex="-1"
      class={`msg ${props.message.role} ${props.last ? "last" : ""} ${props.highlighted ? "highlight" : ""}`}
      data-testid="message"
      data-greeting={props.greeting ? "" : undefined}
      data-id={props.message.id}
      data-role={props.message.role}
      data-status={props.message.status}
      aria-label={assistant() ? props.charName : "You"}
    >
      <Show
        when={!editing()}
        fallback={
          <MessageEditor
            content={props.message.content}
            saveLabel={assistant() ? "Save reply" : "Save and resend"}
            onCancel={() => setEditing(false)}
            onSave={save}
          />
        }
      >
        <Show when={assistant()} fallback={<div class="bubble pre">{text()}</div>}>
          <div class="msg-with-avatar">
            <Avatar name={props.charName} url={props.avatarUrl} size="small" />
            <Markdown text={text()} class="bubble" />
          </div>
        </Show>
      </Show>
      <Show when={STATUS[props.message.status] || props.pinned}>
        <p class="msg-badges small">
          <Show when={STATUS[props.message.status]}>
            <span class="status" data-testid="message-status">
              {STATUS[props.message.status]}
            </span>
          </Show>
          <Show when={props.pinned}>
            <span class="badge" data-testid="pinned-badge">
              pinned to memory
            </span>
          </Show>
        </p>
      </Show>
      <Show when={!props.message.id.startsWith("local-") && !editing()}>
        <MessageActions
          message={props.message}
          text={text()}
          last={props.last}
          greeting={props.greeting}
          busy={props.busy}
          handlers={props.handlers}
          onEdit={() => setEditing(true)}
        />
      </Show>
    </article>
  );
};

export default MessageItem;
