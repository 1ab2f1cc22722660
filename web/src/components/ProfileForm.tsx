import { type Component, createSignal, Show } from "solid-js";
import { updateMe } from "../lib/api";
import { useAuth } from "../lib/auth";
import { describe } from "../lib/errors";
import Field from "./Field";

/** Display name and persona: how the characters address and know the user. */
const ProfileForm: Component = () => {
  const auth = useAuth();
  const [displayName, setDisplayName] = createSignal(auth.user()?.displayName ?? "");
  const [persona, setPersona] = createSignal(auth.user()?.persona ?? "");
  const [note, setNote] = createSignal<{ ok: boolean; text: string } | null>(null);
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    try {
      auth.setUser(await updateMe({ displayName: displayName().trim(), persona: persona() }));
      setNote({ ok: true, text: "Saved." });
    } catch (err) {
      setNote({ ok: false, text: describe(err) });
    }
  };
  return (
    <form onSubmit={save} class="card" data-testid="profile-form">
      <h2>Profile</h2>
      <Field label="Display name" name="displayName" value={displayName()} onInput={setDisplayName} hint="What the characters call you." />
      <Field
        label="Persona"
        name="persona"
        multiline
        rows={5}
        value={persona()}
        onInput={setPersona}
        hint="What the characters know about you: sent with every prompt."
      />
      <Show when={note()}>
        {(n) => (
          <p class={n().ok ? "ok" : "error"} role="status">
            {n().text}
          </p>
        )}
      </Show>
      <button type="submit" class="primary">
        Save profile
      </button>
    </form>
  );
};

export default ProfileForm;
