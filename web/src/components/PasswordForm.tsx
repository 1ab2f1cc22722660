import { type Component, createSignal, Show } from "solid-js";
import { changePassword } from "../lib/api";
import { asFailure, describe } from "../lib/errors";
import { check, focusFirstError, password, required } from "../lib/validate";
import Field from "./Field";

/** Change the password; the current one proves it is really the user. */
const PasswordForm: Component = () => {
  const [current, setCurrent] = createSignal("");
  const [next, setNext] = createSignal("");
  const [note, setNote] = createSignal<{ ok: boolean; text: string } | null>(null);
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  let formEl!: HTMLFormElement;
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setNote(null);
    const found = check(
      { currentPassword: current(), newPassword: next() },
      { currentPassword: [required("Current password")], newPassword: [required("New password"), password] },
    );
    setErrors(found as Record<string, string>);
    if (Object.keys(found).length) return focusFirstError(formEl);
    try {
      await changePassword(current(), next());
      setCurrent("");
      setNext("");
      setNote({ ok: true, text: "Password changed." });
    } catch (err) {
      const f = asFailure(err);
      setNote({ ok: false, text: f.code === "invalid_credentials" ? "The current password is wrong." : describe(f) });
    }
  };
  return (
    <form ref={formEl} onSubmit={save} class="card" data-testid="password-form" novalidate>
      <h2>Password</h2>
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        autocomplete="current-password"
        value={current()}
        onInput={setCurrent}
        error={errors().currentPassword}
        required
      />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autocomplete="new-password"
        value={next()}
        onInput={setNext}
        error={errors().newPassword}
        hint="At least 8 characters."
        required
      />
      <Show when={note()}>
        {(n) => (
          <p class={n().ok ? "ok" : "error"} role="status">
            {n().text}
          </p>
        )}
      </Show>
      <button type="submit">Change password</button>
    </form>
  );
};

export default PasswordForm;
