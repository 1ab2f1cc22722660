import { type Component, For, Show } from "solid-js";
import { snippet } from "../lib/format";
import type { Memories } from "../lib/memories";

/** Says so in the chat when a memory was pinned without the panel (a "remember this" in a message, another tab). */
const PinnedNote: Component<{ memories: Memories; onShow: () => void }> = (props) => (
  <div role="status" class="pinned-note-slot">
    <Show when={props.memories.arrived().length > 0}>
      <div class="pinned-note" data-testid="pinned-note">
        <span>
          Pinned to memory: <For each={props.memories.arrived()}>{(m, i) => `${i() > 0 ? "; " : ""}“${snippet(m.content, 80)}”`}</For>
        </span>
        <button
          type="button"
          class="link"
          onClick={() => {
            props.memories.dismissArrived();
            props.onShow();
          }}
        >
          Show memories
        </button>
        <button type="button" class="icon" aria-label="Dismiss" onClick={() => props.memories.dismissArrived()}>
          ×
        </button>
      </div>
    </Show>
  </div>
);

export default PinnedNote;
