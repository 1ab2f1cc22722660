import type { Component } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import { importCard } from "../lib/api";
import { describe } from "../lib/errors";

/** Imports a Character Card V2 JSON file picked from disk. */
const ImportCard: Component<{ onImported: (c: Character) => void; onError: (message: string) => void }> = (props) => {
  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    let card: unknown;
    try {
      card = JSON.parse(await file.text());
    } catch {
      return props.onError(`${file.name} is not a JSON file.`);
    }
    try {
      props.onImported(await importCard(card));
    } catch (err) {
      props.onError(describe(err));
    }
  };
  return (
    <label class="button">
      Import card
      <input
        type="file"
        accept="application/json,.json"
        class="visually-hidden"
        data-testid="import-card"
        onChange={(e) => pick(e.currentTarget)}
      />
    </label>
  );
};

export default ImportCard;
