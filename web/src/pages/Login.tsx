import { type Component, createSignal, Show } from "solid-js";
import Field from "../components/Field";
import Link from "../components/Link";
import { login } from "../lib/api";
import { createCountdown } from "../lib/countdown";
import { asFailure, describe } from "../lib/errors";
import { formatWait } from "../lib/format";
import { navigate, pathname } from "../lib/router";
import { check, focusFirstError, required } from "../lib/validate";

/** Sign in with a username or an email. Shown for any page while signed out. */
const Login: Component = () => {
  const [name, setName] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [error, setError] = createSignal("");
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  let formEl!: HTMLFormElement;
  const [busy, setBusy] = createSignal(false);
  const [wait, startWait] = createCountdown();
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const found = check(
      { login: name(), password: password() },
      { login: [required("Username or email")], password: [required("Password")] },
    );
    setErrors(found as Record<string, string>);
    if (Object.keys(found).length) return focusFirstError(formEl);
    setBusy(true);
    setError("");
    try {
      await login({ login: name().trim(), password: password() });
      if (pathname() === "/login") navigate("/", { replace: true });
    } catch (err) {
      const f = asFailure(err);
      if (f.retryAfter) startWait(f.retryAfter);
      setError(f.retryAfter ? "Too many failed sign-in attempts." : describe(f));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>Sign in</h1>
      <form ref={formEl} onSubmit={submit} data-testid="login-form" novalidate>
        <Field
          label="Username or email"
          name="login"
          value={name()}
          onInput={setName}
          error={errors().login}
          autocomplete="username"
          required
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password()}
          onInput={setPassword}
          error={errors().password}
          autocomplete="current-password"
          required
        />
        <Show when={error()}>
          <p class="error" role="alert" data-testid="form-error">
            {error()}
            <Show when={wait() > 0}> Try again in {formatWait(wait())}.</Show>
          </p>
        </Show>
        <button type="submit" class="primary" disabled={busy() || wait() > 0}>
          Sign in
        </button>
      </form>
      <p class="muted">
        New here? <Link href="/register">Create an account</Link>
      </p>
    </section>
  );
};

export default Login;
