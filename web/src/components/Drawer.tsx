import { type Component, type JSX, onCleanup, onMount } from "solid-js";

/** A side panel over the chat; Escape or the close button dismisses it, and focus goes back where it was. */
const Drawer: Component<{ title: string; onClose: () => void; children: JSX.Element; "data-testid"?: string }> = (props) => {
  let close!: HTMLButtonElement;
  const opener = document.activeElement as HTMLElement | null;
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    e.preventDefault();
    props.onClose();
  };
  onMount(() => {
    document.addEventListener("keydown", onKey);
    close.focus();
  });
  onCleanup(() => {
    document.removeEventListener("keydown", onKey);
    if (opener?.isConnected) opener.focus();
  });
  return (
    <aside class="drawer" role="dialog" aria-label={props.title} data-testid={props["data-testid"]}>
      <header class="drawer-head">
        <h2>{props.title}</h2>
        <button type="button" ref={close} class="icon" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {/* Focusable, so a long panel can be scrolled from the keyboard. */}
      <div class="drawer-body" tabindex="0">
        {props.children}
      </div>
    </aside>
  );
};

export default Drawer;
