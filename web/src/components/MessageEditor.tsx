import { type Component, createSignal, onMount } from "solid-js";

/** Edits a sent message in place; saving drops what followed and asks for a fresh reply. */
const MessageEditor: Component<{ content: string; onSave: (text: string) => void; onCancel: () => void }> = (props) => {
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
        value={text()}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") props.onCancel();
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            save();
          }
        }}
      />
      <div class="row">
        <button type="submit" class="primary">
          Save and resend
        </button>
        <button type="button" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </form>
  );
};

export default MessageEditor;
