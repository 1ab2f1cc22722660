/** What a session keeps of its character (the prompt is built from it in context/character-prompt.ts). */
import type { CharacterDefinition } from "../characters/definition";
import type { Character } from "../shared/wire";

/** What a session keeps of its character; `visibility` says who may talk to it (public, or only its creator). */
export interface CharacterSnapshot
  extends Pick<
    Character,
    "id" | "name" | "description" | "greeting" | "scenario" | "exampleDialogues" | "updatedAt" | "visibility" | "creatorId"
  > {
  model: string | null;
  /** Everything of the card the prompt uses (personality, system prompt, lorebook, …): see context/character-prompt.ts. */
  definition?: CharacterDefinition;
}
