import { type Component, createSignal, type JSX, onCleanup, onMount, Show } from "solid-js";

/**
 * A menu button: the list opens under it, arrow keys move between its items,
 * Escape closes it and gives focus back, a click outside closes it. An item
 * that is arming a confirmation (`data-armed`) keeps it open.
 */
const Menu: Component<{ label: string; children: JSX.Element; class?: string; "data-testid"?: string; "aria-label"?: string }> = (
  props,
) => {
  const [open, setOpen] = createSignal(false);
  let root!: HTMLDivElement;
  let button!: HTMLButtonElement;
  const items = () => [...root.querySelectorAll<HTMLElement>('[role="menu"] button:not(:disabled), [role="menu"] a')];
  const close = (focus = true) => {
    setOpen(false);
    if (focus) button.focus();
  };
  const outside = (e: Event) => open() && !root.contains(e.target as Node) && close(false);
  // An item's own click handler runs first (Solid delegates to the document): an item arming a confirmation keeps the menu open.
  const picked = (e: Event) => {
    const item = (e.target as HTMLElement).closest('[role="menu"] button, [role="menu"] a');
    if (!item) return;
    setTimeout(() => {
      if (item.hasAttribute("data-armed")) return;
      // Focus goes back to the menu button unless the action moved it (a panel that opened, a page).
      const active = document.activeElement;
      close(!active || active === document.body || root.contains(active));
    }, 0);
  };
  onMount(() => {
    root.addEventListener("keydown", onKey);
    root.addEventListener("click", picked);
  });
  document.addEventListener("pointerdown", outside);
  onCleanup(() => document.removeEventListener("pointerdown", outside));
  const toggle = () => {
    setOpen(!open());
    if (open()) queueMicrotask(() => items()[0]?.focus());
  };
  const onKey = (e: KeyboardEvent) => {
    if (!open()) return;
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      list[(at + step + list.length) % list.length]?.focus();
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      (e.key === "Home" ? list[0] : list.at(-1))?.focus();
    } else if (e.key === "Tab") setOpen(false);
  };
  return (
    <div class={`menu ${props.class ?? ""}`} ref={root}>
      <button
        type="button"
        ref={button}
        class="link"
        aria-haspopup="menu"
        aria-expanded={open()}
        aria-label={props["aria-label"]}
        data-testid={props["data-testid"]}
        onClick={toggle}
      >
        {props.label}
      </button>
      <Show when={open()}>
        <div role="menu" class="menu-list">
          {props.children}
        </div>
      </Show>
    </div>
  );
};

export default Menu;
