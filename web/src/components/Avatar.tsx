import { type Component, createSignal, Show } from "solid-js";
import { hue, initials } from "../lib/format";

/** A character's picture, or its initials on a colour derived from its name (also when the picture fails to load). */
const Avatar: Component<{ name: string; url?: string | null; size?: "small" | "large" }> = (props) => {
  const [failed, setFailed] = createSignal<string | null>(null);
  return (
    <Show
      when={props.url && failed() !== props.url}
      fallback={
        <span class={`avatar ${props.size ?? ""}`} style={{ "--hue": String(hue(props.name)) }} aria-hidden="true">
          {initials(props.name)}
        </span>
      }
    >
      <img
        class={`avatar ${props.size ?? ""}`}
        src={props.url ?? ""}
        alt=""
        loading="lazy"
        decoding="async"
        data-testid="avatar-image"
        onError={() => setFailed(props.url ?? null)}
      />
    </Show>
  );
};

export default Avatar;
