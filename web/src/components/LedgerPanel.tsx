import { type Component, createResource, For, Show } from "solid-js";
import type { Memory, Message } from "../../../worker/shared/wire";
import { promptContext } from "../lib/chat-api";
import { describe } from "../lib/errors";
import { describeEntry, describeExcluded, type LedgerContext, sourceName } from "../lib/ledger-labels";

/** What went into the prompt of one reply, and what was left out and why, each as the thing it is. */
const LedgerPanel: Component<{
  characterId: string;
  messageId: string;
  messages: Message[];
  /** The conversation (main when absent). */
  chatId?: string;
  memories?: Memory[];
  charName?: string;
}> = (props) => {
  const [ledger] = createResource(
    () => props.messageId,
    (id) => promptContext({ characterId: props.characterId, chatId: props.chatId ?? "main" }, id),
  );
  const ctx = (): LedgerContext => ({
    messages: props.messages,
    memories: props.memories ?? [],
    charName: props.charName ?? "The character",
  });
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
            <thead>
              <tr>
                <th scope="col">Part</th>
                <th scope="col">Tokens used / share</th>
              </tr>
            </thead>
            <tbody>
              <For each={Object.entries(l().shares)}>
                {([name, s]) => (
                  <tr>
                    <th scope="row">{sourceName(name)}</th>
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
              {(i) => {
                const line = describeEntry(i, ctx());
                return (
                  <li data-testid="ledger-entry" data-source={i.source}>
                    <span class="badge">{line.kind}</span> {line.text} <span class="muted">· {i.tokens} tokens</span>
                    <Show when={i.recall}>
                      {(r) => (
                        <span class="muted" data-testid="recall-why">
                          {" "}
                          · {r().via === "near" ? "said next to a match" : `matched ${r().matched.join(", ")}`} · score {r().score}
                          {r().hop === 2 ? " · second hop" : ""}
                          {r().date ? ` · ${r().date}` : ""}
                        </span>
                      )}
                    </Show>
                  </li>
                );
              }}
            </For>
          </ol>
          <h3>Left out ({l().excluded.length})</h3>
          <ol class="ledger-list">
            <For each={l().excluded} fallback={<li class="muted">Nothing: the whole conversation fit.</li>}>
              {(x) => {
                const line = describeExcluded(x, ctx());
                return (
                  <li>
                    {line.text}{" "}
                    <span class="muted">
                      · {x.tokens} tokens · {line.kind}
                    </span>
                  </li>
                );
              }}
            </For>
          </ol>
        </div>
      )}
    </Show>
  );
};

export default LedgerPanel;
