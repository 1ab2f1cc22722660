import { type Component, createSignal, Show } from "solid-js";
import { deleteMe, exportMe } from "../lib/api";
import { useAuth } from "../lib/auth";
import { download, fileName } from "../lib/download";
import { describe } from "../lib/errors";
import { navigate } from "../lib/router";

/** The user's data: take a copy, or delete the account after typing its name. */
const DangerZone: Component = () => {
  const auth = useAuth();
  const [confirm, setConfirm] = createSignal("");
  const [error, setError] = createSignal("");
  const username = () => auth.user()?.username ?? "";
  const exportData = () =>
    exportMe().then(
      (blob) => download(fileName(`${username()}-export`, "json"), blob),
      (err) => setError(describe(err)),
    );
  const remove = async (e: SubmitEvent) => {
    e.preventDefault();
    try {
      await deleteMe();
      navigate("/goodbye", { replace: true });
    } catch (err) {
      setError(describe(err));
    }
  };
  return (
    <section class="card">
      <h2>Your data</h2>
      <p>
        <button type="button" data-testid="export-data" onClick={exportData}>
          Export my data
        </button>
      </p>
      <form onSubmit={remove} class="stack danger-zone">
        <label for="confirm-delete">
          Delete my account: this removes the account, its characters and every conversation. Type <strong>{username()}</strong> to confirm.
        </label>
        <input id="confirm-delete" autocomplete="off" value={confirm()} onInput={(e) => setConfirm(e.currentTarget.value)} />
        <button type="submit" class="danger" data-testid="delete-account" disabled={confirm() !== username()}>
          Delete my account
        </button>
      </form>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
};

export default DangerZone;
