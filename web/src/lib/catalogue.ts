/** The character catalogue as the user browses it: a search, its pages, and removals. */
import { createEffect, createSignal, on, onCleanup } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import { deleteCharacter, listCharacters } from "./api";
import { describe } from "./errors";

export function createCatalogue() {
  const [query, setQuery] = createSignal("");
  const [items, setItems] = createSignal<Character[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal("");
  let generation = 0;

  /** Loads the first page of `q`, or the page after `after`; an older search's answer is dropped. */
  async function load(q: string, after: string | null) {
    const mine = ++generation;
    setLoading(true);
    setError("");
    try {
      const page = await listCharacters(q, after);
      if (mine !== generation) return;
      setItems((old) => (after ? [...old, ...page.characters] : page.characters));
      setCursor(page.nextCursor);
    } catch (err) {
      setError(describe(err));
    } finally {
      if (mine === generation) setLoading(false);
    }
  }

  let debounce: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(debounce));
  createEffect(
    on(query, (q) => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void load(q.trim(), null), q ? 250 : 0);
    }),
  );

  return {
    query,
    setQuery,
    items,
    cursor,
    loading,
    error,
    setError,
    more: () => load(query().trim(), cursor()),
    remove: (c: Character) =>
      deleteCharacter(c.id).then(
        () => setItems(items().filter((x) => x.id !== c.id)),
        (err) => setError(describe(err)),
      ),
  };
}
