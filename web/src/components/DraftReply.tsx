import { type Component, Show } from "solid-js";
import Markdown from "./Markdown";

/** The reply as it streams in, or a typing indicator before its first token. */
const DraftReply: Component<{ text: string | null; name: string }> = (props) => (
  <Show
    when={props.text}
    fallback={
      <div class="typing" data-testid="typing" role="status">
        <span class="dots" aria-hidden="true">
          <i />
          <i />
          <i />
        </span>
        {props.name} is typing…
      </div>
    }
  >
    {(text) => (
      <article class="msg assistant streaming" data-testid="draft" aria-live="polite" aria-busy="true">
        <Markdown text={text()} class="bubble" streaming />
      </article>
    )}
  </Show>
);

export default DraftReply;
