import { type Component, createSignal, Show } from "solid-js";
import type { Message } from "../../../worker/shared/wire";
import { fullTime, relativeTime } from "../lib/format";
import ConfirmButton from "./ConfirmButton";
import Menu from "./Menu";
import Swipe from "./Swipe";

export interface MessageHandlers {
  edit: (id: string, content: string) => void;
  editReply: (id: string, content: string) => void;
  deleteMessage: (id: string) => void;
  rewind: (id: string) => void;
  pin: (id: string) => void;
  branch: (id: string) => void;
  context: (id: string) => void;
  regenerate: () => void;
  continueReply: () => void;
  choose: (message: Message, alternativeId: string) => void;
}

/** The tools under a message: copy, edit, regenerate or continue or reply, swipe; the rest in a "More" menu. */
const MessageActions: Component<{
  message: Message;
  /** The text as shown (macros filled), what Copy takes. */
  text: string;
  last: boolean;
  greeting: boolean;
  busy: boolean;
  handlers: MessageHandlers;
  onEdit: () => void;
}> = (props) => {
  const [copied, setCopied] = createSignal(false);
  const assistant = () => props.message.role === "assistant";
  const id = () => props.message.id;
  const copy = async () => {
    await navigator.clipboard.writeText(props.text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div class="msg-actions">
      <time class="stamp small muted" datetime={props.message.createdAt} title={fullTime(props.message.createdAt)} data-testid="stamp">
        {relativeTime(props.message.createdAt)}
      </time>
      <Show when={assistant() && props.message.alternatives?.length}>
        <Swipe message={props.message} disabled={props.busy} onChoose={(alt) => props.handlers.choose(props.message, alt)} />
      </Show>
      <button type="button" class="link" data-testid="copy" onClick={copy} aria-live="polite">
        {copied() ? "Copied" : "Copy"}
      </button>
      <Show when={!props.greeting}>
        <button type="button" class="link" data-testid="edit" disabled={props.busy} onClick={() => props.onEdit()}>
          Edit
        </button>
      </Show>
      <Show when={assistant() && props.last && !props.greeting}>
        <button type="button" class="link" data-testid="regenerate" disabled={props.busy} onClick={() => props.handlers.regenerate()}>
          Regenerate
        </button>
      </Show>
      <Show when={assistant() && props.last && props.message.status !== "complete" && !props.greeting}>
        <button type="button" class="link" data-testid="continue" disabled={props.busy} onClick={() => props.handlers.continueReply()}>
          Continue
        </button>
      </Show>
      <Show when={!assistant() && props.last && !props.busy}>
        <button type="button" class="link" data-testid="reply" disabled={props.busy} onClick={() => props.handlers.regenerate()}>
          Reply
        </button>
      </Show>
      <Menu label="More" aria-label="More actions" data-testid="more">
        <button type="button" role="menuitem" data-testid="pin" onClick={() => props.handlers.pin(id())}>
          Pin to memory
        </button>
        <button type="button" role="menuitem" data-testid="branch" disabled={props.busy} onClick={() => props.handlers.branch(id())}>
          Branch a new chat from here
        </button>
        <Show when={assistant() && !props.greeting}>
          <button type="button" role="menuitem" data-testid="why" onClick={() => props.handlers.context(id())}>
            What it remembered
          </button>
        </Show>
        <Show when={!props.last}>
          <ConfirmButton
            role="menuitem"
            data-testid="rewind"
            disabled={props.busy}
            confirmLabel="Drop everything after? Press again"
            onConfirm={() => props.handlers.rewind(id())}
          >
            Rewind here
          </ConfirmButton>
        </Show>
        <ConfirmButton
          role="menuitem"
          data-testid="delete-message"
          disabled={props.busy}
          confirmLabel={assistant() ? "Delete this reply? Press again" : "Delete it and its reply? Press again"}
          onConfirm={() => props.handlers.deleteMessage(id())}
        >
          Delete
        </ConfirmButton>
      </Menu>
    </div>
  );
};

export default MessageActions;
