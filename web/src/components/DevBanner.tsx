import { type Component, createResource, Show } from "solid-js";
import { meta } from "../lib/api";

/** Says so when replies come from the built-in development LLM. */
const DevBanner: Component = () => {
  const [info] = createResource(() => meta().catch(() => null));
  return (
    <Show when={info()?.devLlm}>
      <div class="dev-banner" role="status" data-testid="dev-banner">
        Development LLM<span class="wide">: replies come from a built-in stand-in ({info()?.model})</span>, not a real model.
      </div>
    </Show>
  );
};

export default DevBanner;
