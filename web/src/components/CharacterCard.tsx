import { type Component, Show } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import Avatar from "./Avatar";
import ConfirmButton from "./ConfirmButton";
import Link from "./Link";

/** One character in the catalogue; its creator also gets edit, export and delete. */
const CharacterCard: Component<{
  character: Character;
  mine: boolean;
  onExport: (c: Character) => void;
  onDelete: (c: Character) => void;
}> = (props) => (
  <article class="char-card" data-testid="character-card">
    <Avatar name={props.character.name} />
    <div class="char-body">
      <h2 class="char-name">
        <Link href={`/chat/${props.character.id}`}>{props.character.name}</Link>
        <Show when={props.character.visibility === "private"}>
          <span class="badge">private</span>
        </Show>
      </h2>
      <p class="muted clamp">{props.character.tagline || props.character.description}</p>
      <Show when={props.mine}>
        <div class="row small-actions">
          <Link href={`/characters/${props.character.id}/edit`} data-testid="edit-character">
            Edit
          </Link>
          <button type="button" class="link" onClick={() => props.onExport(props.character)}>
            Export
          </button>
          <ConfirmButton class="link" confirmLabel="Delete for good?" onConfirm={() => props.onDelete(props.character)}>
            Delete
          </ConfirmButton>
        </div>
      </Show>
    </div>
  </article>
);

export default CharacterCard;
