import { type Component, For, Show } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import CharacterCard from "../components/CharacterCard";
import ImportCard from "../components/ImportCard";
import Link from "../components/Link";
import { exportCard } from "../lib/api";
import { useAuth } from "../lib/auth";
import { createCatalogue } from "../lib/catalogue";
import { download, fileName } from "../lib/download";
import { describe } from "../lib/errors";
import { navigate } from "../lib/router";

/** Browse and search public characters and one's own, a page at a time. */
const Characters: Component = () => {
  const auth = useAuth();
  const cat = createCatalogue();
  const exportOne = (c: Character) =>
    exportCard(c.id).then(
      (card) => download(fileName(c.name, "json"), card),
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
      <input
        type="search"
        class="search"
        placeholder="Search characters"
        aria-label="Search characters"
        value={cat.query()}
        onInput={(e) => cat.setQuery(e.currentTarget.value)}
      />
      <Show when={cat.error()}>
        <p class="error" role="alert">
          {cat.error()}
        </p>
      </Show>
      <div class="grid" aria-busy={cat.loading()}>
        <For each={cat.items()}>
          {(c) => <CharacterCard character={c} mine={c.creatorId === auth.user()?.id} onExport={exportOne} onDelete={cat.remove} />}
        </For>
      </div>
      <Show when={!cat.loading() && cat.items().length === 0}>
        <p class="empty">{cat.query() ? "No character matches." : "No characters yet. Create the first one."}</p>
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
