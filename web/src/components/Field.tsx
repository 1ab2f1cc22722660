import { type Component, type JSX, Show } from "solid-js";

/** A labelled input or textarea, marked when required, with its hint or error underneath (both read out with it). */
const Field: Component<{
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  multiline?: boolean;
  rows?: number;
  hint?: string;
  error?: string;
  required?: boolean;
  autocomplete?: string;
  maxLength?: number;
}> = (props) => {
  const id = `field-${props.name}`;
  const common = (): JSX.InputHTMLAttributes<HTMLInputElement> & JSX.TextareaHTMLAttributes<HTMLTextAreaElement> => ({
    id,
    name: props.name,
    required: props.required,
    maxLength: props.maxLength,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": props.error ? `${id}-error` : props.hint ? `${id}-hint` : undefined,
  });
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        <Show when={props.required}>
          <span class="req" aria-hidden="true">
            {" "}
            (required)
          </span>
        </Show>
      </label>
      <Show
        when={props.multiline}
        fallback={
          <input
            {...common()}
            type={props.type ?? "text"}
            autocomplete={props.autocomplete}
            value={props.value}
            onInput={(e) => props.onInput(e.currentTarget.value)}
          />
        }
      >
        <textarea {...common()} rows={props.rows ?? 3} value={props.value} onInput={(e) => props.onInput(e.currentTarget.value)} />
      </Show>
      <Show when={props.hint && !props.error}>
        <small id={`${id}-hint`} class="muted">
          {props.hint}
        </small>
      </Show>
      <Show when={props.error}>
        <small id={`${id}-error`} class="error">
          {props.error}
        </small>
      </Show>
    </div>
  );
};

export default Field;
