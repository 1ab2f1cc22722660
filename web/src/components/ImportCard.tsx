import type { Component } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import { importCardFile } from "../lib/api";
import { asFailure, describe } from "../lib/errors";

/** Imports a character card file picked from disk: JSON (V1, V2, V3) or a PNG card; the server reads it. */
const ImportCard: Component<{ onImported: (c: Character) => void; onError: (message: string) => void }> = (props) => {
  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    try {
      props.onImported(await importCardFile(file));
    } catch (err) {
      const f = asFailure(err);
      props.onError(f.code === "content_too_large" ? `${file.name} is too large for a card.` : `${file.name}: ${describe(f)}`);
    }
  };
  return (
    <label class="button">
      Import card
      <input
        type="file"
        accept="application/json,.json,image/png,.png"
        class="visually-hidden"
        data-testid="import-card"
        onChange={(e) => pick(e.currentTarget)}
      />
    </label>
  );
};

export default ImportCard;
