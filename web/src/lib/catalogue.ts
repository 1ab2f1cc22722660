/** The character catalogue as the user browses it: a search, a tag, an order, its pages, and removals. */
import { createEffect, createSignal, on, onCleanup } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import { type CatalogueSort, deleteCharacter, listCharacters, listTags } from "./api";
import { describe } from "./errors";
import { reconciledById } from "./keyed";

export function createCatalogue() {
  const [query, setQuery] = createSignal("");
  const [tag, setTag] = createSignal<string | null>(null);
  const [sort, setSort] = createSignal<CatalogueSort | null>(null);
  // Reconciled by id: a card the new answer still holds keeps its element (and a half-confirmed delete).
  const [shown, setShown] = reconciledById<Character[]>([]);
  const items = () => shown() ?? [];
  const [tags, setTags] = createSignal<{ tag: string; count: number }[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal("");
  let generation = 0;

  /** Loads the first page, or the page after `after`; an older search's answer is dropped. */
  async function load(after: string | null) {
    const mine = ++generation;
    setLoading(true);
    setError("");
    try {
      const page = await listCharacters({ q: query().trim(), tag: tag(), sort: sort(), cursor: after });
      if (mine !== generation) return;
      setShown((old) => (after ? [...(old ?? []), ...page.characters] : page.characters));
      setCursor(page.nextCursor);
    } catch (err) {
      setError(describe(err));
    } finally {
      if (mine === generation) setLoading(false);
    }
  }

  const refreshTags = () => listTags().then(setTags, () => setTags([]));

  let debounce: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(debounce));
  createEffect(
    on([query, tag, sort], ([q]) => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void load(null), q ? 250 : 0);
    }),
  );
  void refreshTags();

  return {
    query,
    setQuery,
    tag,
    setTag,
    sort,
    setSort,
    tags,
    items,
    cursor,
    loading,
    error,
    setError,
    more: () => load(cursor()),
    reload: () => {
      void refreshTags();
      return load(null);
    },
    remove: (c: Character) =>
      deleteCharacter(c.id).then(
        () => setShown((old) => old?.filter((x) => x.id !== c.id)),
        (err) => setError(describe(err)),
      ),
  };
}
