import { type Component, For, Show } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import CharacterCard from "../components/CharacterCard";
import ImportCard from "../components/ImportCard";
import Link from "../components/Link";
import { type CatalogueSort, exportCard, exportCardPng } from "../lib/api";
import { useAuth } from "../lib/auth";
import { createCatalogue } from "../lib/catalogue";
import { download, fileName } from "../lib/download";
import { describe } from "../lib/errors";
import { navigate } from "../lib/router";

/** The gallery: search, a tag, an order; public characters and one's own, a page at a time. */
const Characters: Component = () => {
  const auth = useAuth();
  const cat = createCatalogue();
  const exportOne = (c: Character, format: "png" | "json") =>
    (format === "png" ? exportCardPng(c.id) : exportCard(c.id)).then(
      (data) => download(fileName(c.name, format), data),
      (err) => cat.setError(describe(err)),
    );
  return (
    <section>
      <div class="page-head">
        <h1>Characters</h1>
        <div class="row">
          <ImportCard onImported={(c) => navigate(`/characters/${c.id}/edit`)} onError={cat.setError} />
          <Link href="/characters/new" class="button primary" data-testid="new-character">
            New character
          </Link>
        </div>
      </div>
      <div class="filters">
        <input
          type="search"
          class="search"
          placeholder="Search names, taglines, descriptions and tags"
          aria-label="Search characters"
          value={cat.query()}
          onInput={(e) => cat.setQuery(e.currentTarget.value)}
        />
        <label class="inline small">
          Sort{" "}
          <select
            aria-label="Sort"
            data-testid="sort"
            value={cat.sort() ?? ""}
            onChange={(e) => cat.setSort((e.currentTarget.value || null) as CatalogueSort | null)}
          >
            <option value="">{cat.query() ? "Best match" : "Newest"}</option>
            <option value="recent">Newest</option>
            <option value="popular">Most chatted</option>
          </select>
        </label>
      </div>
      <Show when={cat.tags().length > 0}>
        <ul class="tags" aria-label="Filter by tag" data-testid="tag-filter">
          <For each={cat.tags()}>
            {(t) => (
              <li>
                <button
                  type="button"
                  class="tag"
                  aria-pressed={cat.tag() === t.tag}
                  onClick={() => cat.setTag(cat.tag() === t.tag ? null : t.tag)}
                >
                  {t.tag} <span class="muted">{t.count}</span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={cat.error()}>
        <p class="error" role="alert">
          {cat.error()}
        </p>
      </Show>
      <div class="grid" aria-busy={cat.loading()}>
        <For each={cat.items()}>
          {(c) => (
            <CharacterCard
              character={c}
              mine={c.creatorId === auth.user()?.id}
              onExport={exportOne}
              onDelete={cat.remove}
              onTag={(t) => cat.setTag(t)}
            />
          )}
        </For>
      </div>
      <Show when={!cat.loading() && cat.items().length === 0}>
        <p class="empty">{cat.query() || cat.tag() ? "No character matches." : "No characters yet. Create the first one."}</p>
      </Show>
      <Show when={cat.cursor()}>
        <button type="button" class="more" disabled={cat.loading()} onClick={() => cat.more()}>
          Load more
        </button>
      </Show>
    </section>
  );
};

export default Characters;
