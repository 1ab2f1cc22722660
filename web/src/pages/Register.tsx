import { type Component, createSignal, Show } from "solid-js";
import Field from "../components/Field";
import Link from "../components/Link";
import { type FailureCode, register } from "../lib/api";
import { asFailure, describe } from "../lib/errors";
import { navigate } from "../lib/router";
import { check, email, focusFirstError, password, required, username } from "../lib/validate";

const FIELD_OF: Partial<Record<FailureCode, string>> = { username_taken: "username", email_taken: "email" };

/** Create an account; the new user lands on the character list. */
const Register: Component = () => {
  const [form, setForm] = createSignal({ username: "", email: "", password: "" });
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal(false);
  const set = (key: "username" | "email" | "password") => (value: string) => setForm({ ...form(), [key]: value });
  let formEl!: HTMLFormElement;
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const found = check(form(), {
      username: [required("Username"), username],
      email: [required("Email"), email],
      password: [required("Password"), password],
    });
    setErrors(found as Record<string, string>);
    if (Object.keys(found).length) return focusFirstError(formEl);
    setBusy(true);
    try {
      await register({ ...form(), username: form().username.trim(), email: form().email.trim() });
      navigate("/", { replace: true });
    } catch (err) {
      const f = asFailure(err);
      const key = f.field ?? FIELD_OF[f.code] ?? "form";
      setErrors({ [key in form() ? key : "form"]: describe(f) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>Create an account</h1>
      <form ref={formEl} onSubmit={submit} data-testid="register-form" novalidate>
        <Field
          label="Username"
          name="username"
          value={form().username}
          onInput={set("username")}
          error={errors().username}
          autocomplete="username"
          hint="3 to 32 letters, digits, dots, dashes or underscores."
          required
        />
        <Field
          label="Email"
          name="email"
          type="email"
          value={form().email}
          onInput={set("email")}
          error={errors().email}
          autocomplete="email"
          required
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={form().password}
          onInput={set("password")}
          error={errors().password}
          autocomplete="new-password"
          hint="At least 8 characters."
          required
        />
        <Show when={errors().form}>
          <p class="error" role="alert" data-testid="form-error">
            {errors().form}
          </p>
        </Show>
        <button type="submit" class="primary" disabled={busy()}>
          Sign up
        </button>
      </form>
      <p class="muted">
        Have an account? <Link href="/login">Sign in</Link>
      </p>
    </section>
  );
};

export default Register;
