/** The system message: who the character is and who the user is. Pure. */
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

export interface SystemParts {
  character: CharacterSnapshot;
  userName: string;
  persona: string;
}

/** The character and persona part of the system message (memories, summary and recall follow as their own sections). */
export function characterSystemText(p: SystemParts): string {
  const c = p.character;
  const parts = [
    `You are ${c.name}. Stay in character and reply as ${c.name} would, in the first person.`,
    c.description && `## ${c.name}\n${c.description}`,
    c.scenario && `## Scenario\n${c.scenario}`,
    c.exampleDialogues && `## Example dialogue\n${c.exampleDialogues}`,
    c.greeting && `## How ${c.name} opened the conversation\n${c.greeting}`,
    `## The user\nYou are talking with ${p.userName || "the user"}.${p.persona ? `\n${p.persona}` : ""}`,
  ];
  return parts.filter(Boolean).join("\n\n");
}
