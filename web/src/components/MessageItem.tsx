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
  handlers: MessageHandlers;
}> = (props) => {
  const [editing, setEditing] = createSignal(false);
  const text = () => fillMacros(props.message.content, props.charName, props.userName);
  return (
    <article
      class={`msg ${props.message.role} ${props.last ? "last" : ""}`}
      data-testid="message"
      data-greeting={props.greeting ? "" : undefined}
      data-role={props.message.role}
      data-status={props.message.status}
      aria-label={props.message.role === "user" ? "You" : props.charName}
    >
      <Show
        when={!editing()}
        fallback={
          <MessageEditor
            content={props.message.content}
            onCancel={() => setEditing(false)}
            onSave={(t) => {
              setEditing(false);
              props.handlers.edit(props.message.id, t);
            }}
          />
        }
      >
        <Show when={props.message.role === "assistant"} fallback={<div class="bubble pre">{text()}</div>}>
          <div class="msg-with-avatar">
            <Avatar name={props.charName} url={props.avatarUrl} size="small" />
            <Markdown text={text()} class="bubble" />
          </div>
        </Show>
      </Show>
      <Show when={STATUS[props.message.status]}>
        <span class="status small" data-testid="message-status">
          {STATUS[props.message.status]}
        </span>
      </Show>
      <Show when={!props.message.id.startsWith("local-") && !editing()}>
        <MessageActions
          message={props.message}
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
