import { type Component, createSignal, Show } from "solid-js";
import { updateMe } from "../lib/api";
import { useAuth } from "../lib/auth";
import { describe } from "../lib/errors";
import { check, focusFirstError, maxLength, required } from "../lib/validate";
import Field from "./Field";

/** Display name and persona: how the characters address and know the user. */
const ProfileForm: Component = () => {
  const auth = useAuth();
  const [displayName, setDisplayName] = createSignal(auth.user()?.displayName ?? "");
  const [persona, setPersona] = createSignal(auth.user()?.persona ?? "");
  const [note, setNote] = createSignal<{ ok: boolean; text: string } | null>(null);
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  let formEl!: HTMLFormElement;
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setNote(null);
    const found = check(
      { displayName: displayName(), persona: persona() },
      { displayName: [required("Display name"), maxLength("Display name", 64)], persona: [maxLength("Persona", 4000)] },
    );
    setErrors(found as Record<string, string>);
    if (Object.keys(found).length) return focusFirstError(formEl);
    try {
      auth.setUser(await updateMe({ displayName: displayName().trim(), persona: persona() }));
      setNote({ ok: true, text: "Saved." });
    } catch (err) {
      setNote({ ok: false, text: describe(err) });
    }
  };
  return (
    <form ref={formEl} onSubmit={save} class="card" data-testid="profile-form" novalidate>
      <h2>Profile</h2>
      <Field
        label="Display name"
        name="displayName"
        value={displayName()}
        onInput={setDisplayName}
        error={errors().displayName}
        hint="What the characters call you."
        required
      />
      <Field
        label="Persona"
        name="persona"
        multiline
        rows={5}
        value={persona()}
        onInput={setPersona}
        error={errors().persona}
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
