import { type Component, createResource, For, Show } from "solid-js";
import type { Message } from "../../../worker/shared/wire";
import { promptContext } from "../lib/api";
import { describe } from "../lib/errors";
import { snippet } from "../lib/format";

/** What went into the prompt of one reply, and what was left out and why. */
const LedgerPanel: Component<{ characterId: string; messageId: string; messages: Message[] }> = (props) => {
  const [ledger] = createResource(
    () => props.messageId,
    (id) => promptContext(props.characterId, id),
  );
  const text = (id: string) => {
    const m = props.messages.find((x) => x.id === id);
    return m ? snippet(m.content, 70) : id;
  };
  return (
    <Show when={ledger()} fallback={<p class={ledger.error ? "error" : "muted"}>{ledger.error ? describe(ledger.error) : "Loading…"}</p>}>
      {(l) => (
        <div data-testid="ledger">
          <p>
            This reply's prompt used <strong>{l().used}</strong> of <strong>{l().budget}</strong> tokens.
          </p>
          <meter min={0} max={l().budget} value={l().used} aria-label="Prompt budget used" />
          <h3>By part</h3>
          <table class="ledger-table">
            <tbody>
              <For each={Object.entries(l().shares)}>
                {([name, s]) => (
                  <tr>
                    <th scope="row">{name}</th>
                    <td>
                      {s.used} / {s.budget}
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
          <h3>Remembered this turn ({l().included.length})</h3>
          <ol class="ledger-list">
            <For each={l().included}>
              {(i) => (
                <li>
                  <span class="badge">{i.source}</span> {text(i.id)} <span class="muted">· {i.tokens} tok</span>
                  <Show when={i.recall}>
                    {(r) => (
                      <span class="muted" data-testid="recall-why">
                        {" "}
                        · {r().via === "exchange" ? "the other half of a match" : `matched ${r().matched.join(", ")}`} · score {r().score}
                        {r().hop === 2 ? " · second hop" : ""}
                        {r().date ? ` · ${r().date}` : ""}
                      </span>
                    )}
                  </Show>
                </li>
              )}
            </For>
          </ol>
          <h3>Left out ({l().excluded.length})</h3>
          <ol class="ledger-list">
            <For each={l().excluded} fallback={<li class="muted">Nothing: the whole conversation fit.</li>}>
              {(x) => (
                <li>
                  {text(x.id)}{" "}
                  <span class="muted">
                    · {x.tokens} tok · {x.reason}
                  </span>
                </li>
              )}
            </For>
          </ol>
        </div>
      )}
    </Show>
  );
};

export default LedgerPanel;
