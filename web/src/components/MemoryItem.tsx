import { type Component, createSignal, Show } from "solid-js";
import type { Memory } from "../../../worker/shared/wire";

/** One pinned memory, editable in place. */
const MemoryItem: Component<{
  memory: Memory;
  onSave: (content: string) => Promise<boolean>;
  onScope: (scope: Memory["scope"]) => void;
  onDelete: () => void;
}> = (props) => {
  const [editing, setEditing] = createSignal(false);
  const [text, setText] = createSignal("");
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    if (text().trim() && (await props.onSave(text().trim()))) setEditing(false);
  };
  return (
    <li class="memory" data-testid="memory">
      <Show
        when={editing()}
        fallback={
          <>
            <p class="pre">{props.memory.content}</p>
            <div class="row small-actions">
              <button
                type="button"
                class="link"
                data-testid="memory-scope"
                aria-pressed={props.memory.scope === "character"}
                title={props.memory.scope === "character" ? "Kept in every chat with this character" : "Kept in this chat only"}
                onClick={() => props.onScope(props.memory.scope === "character" ? "chat" : "character")}
              >
                In every chat
              </button>
              <button
                type="button"
                class="link"
                onClick={() => {
                  setText(props.memory.content);
                  setEditing(true);
                }}
              >
                Edit
              </button>
              <button type="button" class="link" onClick={() => props.onDelete()}>
                Delete
              </button>
            </div>
          </>
        }
      >
        <form onSubmit={save}>
          <textarea aria-label="Memory" rows={3} value={text()} onInput={(e) => setText(e.currentTarget.value)} />
          <div class="row">
            <button type="submit" class="primary">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
    </li>
  );
};

export default MemoryItem;
