import { type Component, Show } from "solid-js";
import type { ChatError } from "../lib/chat";

/** A failed turn, said plainly, with Retry when trying again can help. */
const ErrorLine: Component<{ error: ChatError; onDismiss: () => void }> = (props) => (
  <div class="error-line" role="alert" data-testid="chat-error">
    <span>{props.error.message}</span>
    <Show when={props.error.retry}>
      {(retry) => (
        <button type="button" data-testid="retry" onClick={() => retry()()}>
          Retry
        </button>
      )}
    </Show>
    <button type="button" class="icon" aria-label="Dismiss" onClick={() => props.onDismiss()}>
      ×
    </button>
  </div>
);

export default ErrorLine;
