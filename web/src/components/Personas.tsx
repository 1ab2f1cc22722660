import { type Component, createResource, createSignal, For, Show } from "solid-js";
import { createPersona, deletePersona, listPersonas, updatePersona } from "../lib/chat-api";
import { describe } from "../lib/errors";
import ConfirmButton from "./ConfirmButton";
import PersonaForm from "./PersonaForm";

/** The account's personas: who the user is in a conversation, chosen per conversation in the chat. */
const Personas: Component = () => {
  const [personas, { mutate }] = createResource(listPersonas);
  const [editing, setEditing] = createSignal<string | null>(null);
  const [error, setError] = createSignal("");
  const remove = (id: string) =>
    deletePersona(id).then(
      () => mutate((l) => l?.filter((p) => p.id !== id)),
      (err) => setError(describe(err)),
    );
  return (
    <section class="card" data-testid="personas">
      <h2>Personas</h2>
      <p class="muted small">
        Be someone else in some conversations: choose a persona in a chat's bar. A chat without one uses your profile above.
      </p>
      <Show when={error() || personas.error}>
        <p class="error" role="alert">
          {error() || describe(personas.error)}
        </p>
      </Show>
      <ul class="memories">
        <For each={personas()} fallback={<li class="muted">No personas yet.</li>}>
          {(p) => (
            <li class="memory" data-testid="persona">
              <Show
                when={editing() === p.id}
                fallback={
                  <>
                    <p>
                      <strong>{p.name}</strong>
                    </p>
                    <Show when={p.description}>
                      <p class="pre muted">{p.description}</p>
                    </Show>
                    <div class="row small-actions">
                      <button type="button" class="link" onClick={() => setEditing(p.id)}>
                        Edit <span class="visually-hidden">{p.name}</span>
                      </button>
                      <ConfirmButton class="link" confirmLabel="Delete it? Press again" onConfirm={() => remove(p.id)}>
                        Delete <span class="visually-hidden">{p.name}</span>
                      </ConfirmButton>
                    </div>
                  </>
                }
              >
                <PersonaForm
                  id={`edit-${p.id}`}
                  name={p.name}
                  description={p.description}
                  submitLabel="Save persona"
                  onCancel={() => setEditing(null)}
                  onSave={async (input) => {
                    const saved = await updatePersona(p.id, input);
                    mutate((l) => l?.map((x) => (x.id === p.id ? saved : x)));
                    setEditing(null);
                  }}
                />
              </Show>
            </li>
          )}
        </For>
      </ul>
      <h3>New persona</h3>
      <PersonaForm
        id="new-persona"
        submitLabel="Add persona"
        onSave={async (input) => {
          const made = await createPersona(input);
          mutate((l) => [...(l ?? []), made]);
        }}
      />
    </section>
  );
};

export default Personas;
