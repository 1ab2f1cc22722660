import { type Component, createSignal, Show } from "solid-js";
import Field from "../components/Field";
import Link from "../components/Link";
import { type FailureCode, register } from "../lib/api";
import { asFailure, describe } from "../lib/errors";
import { navigate } from "../lib/router";

const FIELD_OF: Partial<Record<FailureCode, string>> = { username_taken: "username", email_taken: "email" };

/** Create an account; the new user lands on the character list. */
const Register: Component = () => {
  const [form, setForm] = createSignal({ username: "", email: "", password: "" });
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal(false);
  const set = (key: "username" | "email" | "password") => (value: string) => setForm({ ...form(), [key]: value });
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
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
      <form onSubmit={submit} data-testid="register-form">
        <Field
          label="Username"
          name="username"
          value={form().username}
          onInput={set("username")}
          error={errors().username}
          autocomplete="username"
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
