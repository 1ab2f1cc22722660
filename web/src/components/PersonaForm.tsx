import { type Component, createSignal, Show } from "solid-js";
import { asFailure, describe } from "../lib/errors";
import { check, focusFirstError, maxLength, required } from "../lib/validate";
import Field from "./Field";

/** A persona's name and description, checked before saving. */
const PersonaForm: Component<{
  id: string;
  name?: string;
  description?: string;
  submitLabel: string;
  onSave: (input: { name: string; description: string }) => Promise<unknown>;
  onCancel?: () => void;
}> = (props) => {
  const [name, setName] = createSignal(props.name ?? "");
  const [description, setDescription] = createSignal(props.description ?? "");
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal(false);
  let form!: HTMLFormElement;
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const found = check(
      { name: name(), description: description() },
      { name: [required("Name"), maxLength("Name", 100)], description: [maxLength("Description", 4000)] },
    );
    setErrors(found as Record<string, string>);
    if (Object.keys(found).length) return focusFirstError(form);
    setBusy(true);
    try {
      await props.onSave({ name: name().trim(), description: description() });
      if (!props.onCancel) {
        setName("");
        setDescription("");
      }
    } catch (err) {
      const f = asFailure(err);
      setErrors({ [f.field === "name" || f.field === "description" ? f.field : "form"]: describe(f) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form ref={form} onSubmit={save} class="stack persona-form" novalidate data-testid={`persona-form-${props.id}`}>
      <Field label="Name" name={`${props.id}-name`} value={name()} onInput={setName} error={errors().name} required />
      <Field
        label="Description"
        name={`${props.id}-description`}
        multiline
        rows={3}
        value={description()}
        onInput={setDescription}
        error={errors().description}
        hint="Who you are in the conversations that use this persona."
      />
      <Show when={errors().form}>
        <p class="error" role="alert">
          {errors().form}
        </p>
      </Show>
      <div class="row">
        <button type="submit" class="primary" disabled={busy()}>
          {props.submitLabel}
        </button>
        <Show when={props.onCancel}>
          <button type="button" onClick={() => props.onCancel?.()}>
            Cancel
          </button>
        </Show>
      </div>
    </form>
  );
};

export default PersonaForm;
