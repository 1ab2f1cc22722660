import { type Component, createResource, createSignal, Show } from "solid-js";
import AvatarEditor from "../components/AvatarEditor";
import Field from "../components/Field";
import { type CharacterInput, createCharacter, getCharacter, updateCharacter } from "../lib/api";
import { asFailure, describe } from "../lib/errors";
import { navigate } from "../lib/router";
import { check, fieldMessage, focusFirstError, maxLength, required } from "../lib/validate";

const LONG = 32_000;

const EMPTY: CharacterInput = {
  name: "",
  tagline: "",
  description: "",
  greeting: "",
  scenario: "",
  exampleDialogues: "",
  visibility: "private",
};

/** Create a character, or edit one's own when given its id. */
const CharacterForm: Component<{ id?: string }> = (props) => {
  const [form, setForm] = createSignal<CharacterInput>(EMPTY);
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal(false);
  const [existing, { mutate }] = createResource(
    () => props.id,
    async (id) => {
      const c = await getCharacter(id);
      setForm({
        name: c.name,
        tagline: c.tagline,
        description: c.description,
        greeting: c.greeting,
        scenario: c.scenario,
        exampleDialogues: c.exampleDialogues,
        visibility: c.visibility,
      });
      return c;
    },
  );
  const set = (key: keyof CharacterInput) => (value: string) => setForm({ ...form(), [key]: value });
  const field = (
    key: keyof CharacterInput,
    label: string,
    extra: { multiline?: boolean; rows?: number; hint?: string; required?: boolean } = {},
  ) => <Field label={label} name={key} value={form()[key]} onInput={set(key)} error={errors()[key]} {...extra} />;
  let formEl!: HTMLFormElement;
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const found = check(form(), {
      name: [required("Name"), maxLength("Name", 100)],
      tagline: [maxLength("Tagline", 200)],
      description: [required("Description"), maxLength("Description", LONG)],
      greeting: [required("Greeting"), maxLength("Greeting", LONG)],
      scenario: [maxLength("Scenario", LONG)],
      exampleDialogues: [maxLength("Example dialogues", LONG)],
    });
    setErrors(found as Record<string, string>);
    if (Object.keys(found).length) return focusFirstError(formEl);
    setBusy(true);
    try {
      const saved = props.id ? await updateCharacter(props.id, form()) : await createCharacter(form());
      navigate(props.id ? "/characters" : `/chat/${saved.id}`);
    } catch (err) {
      const f = asFailure(err);
      const field = f.field && f.field in form() ? f.field : "form";
      setErrors({ [field]: (field !== "form" && fieldMessage(f.field)) || describe(f) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card">
      <h1>{props.id ? "Edit character" : "New character"}</h1>
      <Show
        when={!existing.error}
        fallback={
          <p class="error" role="alert">
            {describe(existing.error)}
          </p>
        }
      >
        <Show when={existing()}>{(c) => <AvatarEditor character={c()} onChange={mutate} />}</Show>
        <form ref={formEl} onSubmit={submit} data-testid="character-form" novalidate>
          {field("name", "Name", { required: true })}
          {field("tagline", "Tagline", { hint: "One line shown on the character's card." })}
          {field("description", "Description", {
            multiline: true,
            rows: 5,
            required: true,
            hint: "Personality, looks, how they talk. The model reads this every turn.",
          })}
          {field("greeting", "Greeting", { multiline: true, required: true, hint: "The first message of every new conversation." })}
          {field("scenario", "Scenario", { multiline: true, hint: "Where and when the conversation happens." })}
          {field("exampleDialogues", "Example dialogues", {
            multiline: true,
            rows: 5,
            hint: "A few exchanges in the character's voice; {{user}} and {{char}} work.",
          })}
          <fieldset class="field">
            <legend>Visibility</legend>
            <label class="inline">
              <input
                type="radio"
                name="visibility"
                value="private"
                checked={form().visibility === "private"}
                onChange={() => setForm({ ...form(), visibility: "private" })}
              />{" "}
              Private: only you
            </label>
            <label class="inline">
              <input
                type="radio"
                name="visibility"
                value="public"
                checked={form().visibility === "public"}
                onChange={() => setForm({ ...form(), visibility: "public" })}
              />{" "}
              Public: everyone can chat
            </label>
          </fieldset>
          <Show when={errors().form}>
            <p class="error" role="alert">
              {errors().form}
            </p>
          </Show>
          <div class="row">
            <button type="submit" class="primary" disabled={busy()}>
              {props.id ? "Save" : "Create and chat"}
            </button>
            <button type="button" onClick={() => navigate("/characters")}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
    </section>
  );
};

export default CharacterForm;
