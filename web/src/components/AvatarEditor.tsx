import { type Component, createSignal, Show } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import { removeAvatar, uploadAvatar } from "../lib/api";
import { asFailure, describe } from "../lib/errors";
import Avatar from "./Avatar";

/** The character's picture with upload and remove (PNG, JPEG or WebP; the server strips its metadata). */
const AvatarEditor: Component<{ character: Character; onChange: (c: Character) => void }> = (props) => {
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const run = async (work: () => Promise<Character>, name = "That image") => {
    setBusy(true);
    setError("");
    try {
      props.onChange(await work());
    } catch (err) {
      const f = asFailure(err);
      setError(f.code === "content_too_large" ? `${name} is larger than 5 MB.` : describe(f));
    } finally {
      setBusy(false);
    }
  };
  const pick = (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (file) void run(() => uploadAvatar(props.character.id, file), file.name);
  };
  return (
    <div class="avatar-editor" data-testid="avatar-editor">
      <Avatar name={props.character.name} url={props.character.avatarUrl} size="large" />
      <div class="stack">
        <div class="row">
          <label class="button" aria-disabled={busy()}>
            {props.character.avatarUrl ? "Change picture" : "Upload picture"}
            <input
              type="file"
              accept="image/png,image/jpeg,image/webp"
              class="visually-hidden"
              data-testid="avatar-upload"
              disabled={busy()}
              onChange={(e) => pick(e.currentTarget)}
            />
          </label>
          <Show when={props.character.avatarUrl}>
            <button type="button" class="link" disabled={busy()} onClick={() => run(() => removeAvatar(props.character.id))}>
              Remove picture
            </button>
          </Show>
        </div>
        <p class="muted small">PNG, JPEG or WebP, up to 5 MB and 4096 pixels on a side.</p>
        <Show when={error()}>
          <p class="error small" role="alert">
            {error()}
          </p>
        </Show>
      </div>
    </div>
  );
};

export default AvatarEditor;
