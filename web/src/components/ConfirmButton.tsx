import { type Component, createSignal, type JSX, onCleanup } from "solid-js";

/** A destructive button that asks once more: the first press arms it for a few seconds. */
const ConfirmButton: Component<{
  onConfirm: () => void;
  children: JSX.Element;
  confirmLabel?: string;
  class?: string;
  disabled?: boolean;
  role?: "menuitem";
  "data-testid"?: string;
}> = (props) => {
  const [armed, setArmed] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const press = () => {
    clearTimeout(timer);
    if (armed()) {
      setArmed(false);
      return props.onConfirm();
    }
    setArmed(true);
    timer = setTimeout(() => setArmed(false), 4000);
  };
  return (
    <button
      type="button"
      class={`${props.class ?? ""} ${armed() ? "danger" : ""}`}
      data-testid={props["data-testid"]}
      data-armed={armed() ? "" : undefined}
      role={props.role}
      disabled={props.disabled}
      onClick={press}
    >
      {armed() ? (props.confirmLabel ?? "Press again to confirm") : props.children}
    </button>
  );
};

export default ConfirmButton;
