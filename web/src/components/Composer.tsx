import { type Accessor, type Component, Show } from "solid-js";
import type { Draft } from "../lib/drafts";
import { createLengthCheck } from "../lib/limit";

/**
 * The message box: Enter sends, Shift+Enter breaks the line; Stop (or
 * Escape) while a reply streams. Its text is the conversation's kept draft;
 * near the length limit a counter shows, and over it Send is refused.
 */
const Composer: Component<{
  draft: Draft;
  maxTokens: Accessor<number | null>;
  busy: boolean;
  stopping: boolean;
  loading: boolean;
  placeholder: string;
  onSend: () => void;
  onStop: () => void;
}> = (props) => {
  const length = createLengthCheck(props.draft.text, props.maxTokens);
  const sendable = () => !!props.draft.text().trim() && !length().over && !props.loading;
  const submit = () => {
    if (sendable() && !props.busy) props.onSend();
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div class="composer-box">
        <textarea
          data-testid="composer"
          aria-label="Message"
          aria-describedby="composer-length"
          aria-invalid={length().over ? true : undefined}
          rows={1}
          placeholder={props.placeholder}
          value={props.draft.text()}
          onInput={(e) => props.draft.set(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <p id="composer-length" class={`counter small ${length().over ? "error" : "muted"}`} data-testid="counter" aria-live="polite">
          <Show when={length().show}>{length().label}</Show>
        </p>
      </div>
      <Show
        when={props.busy}
        fallback={
          <button type="submit" class="primary" data-testid="send" disabled={!sendable()}>
            Send
          </button>
        }
      >
        <button
          type="button"
          class="danger"
          data-testid="stop"
          disabled={props.stopping}
          aria-keyshortcuts="Escape"
          title="Stop the reply (Escape)"
          onClick={() => props.onStop()}
        >
          {props.stopping ? "Stopping…" : "Stop"}
        </button>
      </Show>
    </form>
  );
};

export default Composer;
