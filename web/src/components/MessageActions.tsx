import { type Component, Show } from "solid-js";
import type { Message } from "../../../worker/shared/wire";
import ConfirmButton from "./ConfirmButton";
import Swipe from "./Swipe";

export interface MessageHandlers {
  edit: (id: string, content: string) => void;
  rewind: (id: string) => void;
  pin: (id: string) => void;
  context: (id: string) => void;
  regenerate: () => void;
  choose: (message: Message, alternativeId: string) => void;
}

/** The small controls under a message: swipe, regenerate, edit, pin, why, rewind. */
const MessageActions: Component<{
  message: Message;
  last: boolean;
  greeting: boolean;
  busy: boolean;
  handlers: MessageHandlers;
  onEdit: () => void;
}> = (props) => {
  const assistant = () => props.message.role === "assistant";
  return (
    <div class="msg-actions">
      <Show when={assistant() && props.message.alternatives?.length}>
        <Swipe message={props.message} disabled={props.busy} onChoose={(id) => props.handlers.choose(props.message, id)} />
      </Show>
      <Show when={assistant() && props.last}>
        <button type="button" class="link" data-testid="regenerate" disabled={props.busy} onClick={() => props.handlers.regenerate()}>
          Regenerate
        </button>
      </Show>
      <Show when={!assistant()}>
        <button type="button" class="link" data-testid="edit" disabled={props.busy} onClick={() => props.onEdit()}>
          Edit
        </button>
      </Show>
      <button type="button" class="link" data-testid="pin" onClick={() => props.handlers.pin(props.message.id)}>
        Pin
      </button>
      <Show when={assistant() && !props.greeting}>
        <button type="button" class="link" data-testid="why" onClick={() => props.handlers.context(props.message.id)}>
          What it remembered
        </button>
      </Show>
      <Show when={!props.last}>
        <ConfirmButton
          class="link"
          data-testid="rewind"
          disabled={props.busy}
          confirmLabel="Drop everything after?"
          onConfirm={() => props.handlers.rewind(props.message.id)}
        >
          Rewind here
        </ConfirmButton>
      </Show>
    </div>
  );
};

export default MessageActions;
