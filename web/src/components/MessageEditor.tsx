import { type Component, createSignal, onMount } from "solid-js";

/** Edits a message in place: a user message is sent again (what followed is replaced); a reply is just changed. */
const MessageEditor: Component<{ content: string; saveLabel: string; onSave: (text: string) => void; onCancel: () => void }> = (props) => {
  const [text, setText] = createSignal(props.content);
  let box!: HTMLTextAreaElement;
  onMount(() => box.focus());
  const save = () => text().trim() && props.onSave(text().trim());
  return (
    <form
      class="editor"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <textarea
        ref={box}
        aria-label="Edit message"
        data-testid="edit-box"
        rows={Math.min(12, Math.max(3, props.content.split("\n").length + 1))}
        value={text()}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            props.onCancel();
          }
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            save();
          }
        }}
      />
      <div class="row">
        <button type="submit" class="primary">
          {props.saveLabel}
        </button>
        <button type="button" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </form>
  );
};

export default MessageEditor;
