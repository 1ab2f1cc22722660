/** The pinned memories of one conversation: facts the character always keeps in its prompt. */
import { createResource, createSignal } from "solid-js";
import type { Memory } from "../../../worker/shared/wire";
import * as api from "./api";
import { describe } from "./errors";

export function createMemories(characterId: string) {
  const [list, { mutate }] = createResource(() => api.listMemories(characterId));
  const [error, setError] = createSignal("");
  const guard = async (work: () => Promise<void>): Promise<boolean> => {
    setError("");
    try {
      await work();
      return true;
    } catch (err) {
      setError(describe(err));
      return false;
    }
  };
  const append = (m: Memory) => void mutate((l) => [...(l ?? []), m]);
  return {
    list,
    error,
    add: (content: string) => guard(async () => append(await api.addMemory(characterId, { content }))),
    pin: (messageId: string) => guard(async () => append(await api.addMemory(characterId, { messageId }))),
    update: (id: string, content: string) =>
      guard(async () => {
        const m = await api.updateMemory(characterId, id, content);
        mutate((l) => l?.map((x) => (x.id === id ? m : x)));
      }),
    remove: (id: string) =>
      guard(async () => {
        await api.deleteMemory(characterId, id);
        mutate((l) => l?.filter((x) => x.id !== id));
      }),
  };
}

export type Memories = ReturnType<typeof createMemories>;
