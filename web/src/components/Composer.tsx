import { type Component, createSignal, Show } from "solid-js";

/** The message box: Enter sends, Shift+Enter breaks the line; Stop while a reply streams. */
const Composer: Component<{
  busy: boolean;
  stopping: boolean;
  loading: boolean;
  placeholder: string;
  onSend: (text: string) => void;
  onStop: () => void;
}> = (props) => {
  const [text, setText] = createSignal("");
  const submit = () => {
    const t = text().trim();
    if (!t || props.busy || props.loading) return;
    props.onSend(t);
    setText("");
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <textarea
        data-testid="composer"
        aria-label="Message"
        rows={1}
        placeholder={props.placeholder}
        value={text()}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <Show
        when={props.busy}
        fallback={
          <button type="submit" class="primary" data-testid="send" disabled={!text().trim() || props.loading}>
            Send
          </button>
        }
      >
        <button type="button" class="danger" data-testid="stop" disabled={props.stopping} onClick={() => props.onStop()}>
          {props.stopping ? "Stopping…" : "Stop"}
        </button>
      </Show>
    </form>
  );
};

export default Composer;
