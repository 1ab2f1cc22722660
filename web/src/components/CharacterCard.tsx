import { type Component, For, Show } from "solid-js";
import type { Character } from "../../../worker/shared/wire";
import Avatar from "./Avatar";
import ConfirmButton from "./ConfirmButton";
import Link from "./Link";

/** One character in the catalogue: picture, name, tagline and tags; anyone may export it, its creator also edits and deletes. */
const CharacterCard: Component<{
  character: Character;
  mine: boolean;
  onExport: (c: Character, format: "png" | "json") => void;
  onDelete: (c: Character) => void;
  onTag: (tag: string) => void;
}> = (props) => (
  <article class="char-card" data-testid="character-card" data-name={props.character.name}>
    <Avatar name={props.character.name} url={props.character.avatarUrl} size="large" />
    <div class="char-body">
      <h2 class="char-name">
        <Link href={`/chat/${props.character.id}`}>{props.character.name}</Link>
        <Show when={props.character.visibility === "private"}>
          <span class="badge">private</span>
        </Show>
      </h2>
      <p class="muted clamp">{props.character.tagline || props.character.description}</p>
      <Show when={props.character.tags.length > 0}>
        <ul class="tags">
          <For each={props.character.tags.slice(0, 5)}>
            {(t) => (
              <li>
                <button type="button" class="tag" onClick={() => props.onTag(t)}>
                  {t}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <div class="row small-actions">
        <Show when={props.mine}>
          <Link href={`/characters/${props.character.id}/edit`} data-testid="edit-character">
            Edit
          </Link>
        </Show>
        <button type="button" class="link" data-testid="export-png" onClick={() => props.onExport(props.character, "png")}>
          Export PNG
        </button>
        <button type="button" class="link" data-testid="export-json" onClick={() => props.onExport(props.character, "json")}>
          Export JSON
        </button>
        <Show when={props.mine}>
          <ConfirmButton class="link" confirmLabel="Delete for good?" onConfirm={() => props.onDelete(props.character)}>
            Delete
          </ConfirmButton>
        </Show>
      </div>
    </div>
  </article>
);

export default CharacterCard;
