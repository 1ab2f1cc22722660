import type { Component } from "solid-js";
import type { Message } from "../../../worker/shared/wire";

/** Steps between the regenerated versions of a reply. */
const Swipe: Component<{ message: Message; disabled: boolean; onChoose: (id: string) => void }> = (props) => {
  // Sorted ids give every version a stable place whichever one is active.
  const ids = () => [props.message.id, ...(props.message.alternatives ?? []).map((a) => a.id)].sort();
  const at = () => ids().indexOf(props.message.id);
  return (
    <fieldset class="swipe" aria-label="Versions of this reply" data-testid="swipe">
      <button
        type="button"
        class="icon"
        aria-label="Previous version"
        disabled={props.disabled || at() === 0}
        onClick={() => props.onChoose(ids()[at() - 1])}
      >
        ‹
      </button>
      <span class="small">
        {at() + 1}/{ids().length}
      </span>
      <button
        type="button"
        class="icon"
        aria-label="Next version"
        disabled={props.disabled || at() === ids().length - 1}
        onClick={() => props.onChoose(ids()[at() + 1])}
      >
        ›
      </button>
    </fieldset>
  );
};

export default Swipe;
