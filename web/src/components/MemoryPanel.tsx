import { type Component, createSignal, For, Show } from "solid-js";
import type { Memories } from "../lib/memories";
import MemoryItem from "./MemoryItem";

/** The conversation's pinned memories: list, add, edit, delete. */
const MemoryPanel: Component<{ memories: Memories }> = (props) => {
  const [text, setText] = createSignal("");
  const [everywhere, setEverywhere] = createSignal(false);
  const add = async (e: SubmitEvent) => {
    e.preventDefault();
    if (text().trim() && (await props.memories.add(text().trim(), everywhere() ? "character" : "chat"))) setText("");
  };
  return (
    <>
      <p class="muted small">
        Pinned memories go into every prompt, even when the messages they came from have left the character's context.
      </p>
      <Show when={props.memories.error()}>
        <p class="error" role="alert">
          {props.memories.error()}
        </p>
      </Show>
      <ul class="memories">
        <For each={props.memories.list()} fallback={<li class="muted">Nothing pinned yet.</li>}>
          {(m) => (
            <MemoryItem
              memory={m}
              onSave={(content) => props.memories.update(m.id, { content })}
              onScope={(scope) => props.memories.update(m.id, { scope })}
              onDelete={() => props.memories.remove(m.id)}
            />
          )}
        </For>
      </ul>
      <form onSubmit={add} class="stack">
        <label for="new-memory">Add a memory</label>
        <textarea
          id="new-memory"
          rows={3}
          value={text()}
          placeholder="e.g. My sister is called Ana."
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <label class="inline small">
          <input type="checkbox" checked={everywhere()} onChange={(e) => setEverywhere(e.currentTarget.checked)} /> Keep it in every chat
          with this character
        </label>
        <button type="submit" class="primary" disabled={!text().trim()}>
          Pin it
        </button>
      </form>
    </>
  );
};

export default MemoryPanel;
