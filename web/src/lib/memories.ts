/**
 * The pinned memories of one conversation: facts the character always keeps
 * in its prompt. Read again whenever the server says they changed (a
 * "remember this" in a message, another tab), and a memory that appears
 * that way is announced once, so the chat can say that something was pinned.
 */
import { createResource, createSignal } from "solid-js";
import type { Memory } from "../../../worker/shared/wire";
import * as api from "./chat-api";
import { describe } from "./errors";
import { reconciledById } from "./keyed";

export function createMemories(ref: api.ChatRef) {
  // Reconciled: a reload from another tab's change leaves a memory being edited here as it is.
  const [list, { mutate, refetch }] = createResource(() => api.listMemories(ref), { storage: reconciledById });
  const [error, setError] = createSignal("");
  /** Memories that appeared without this tab adding them: the chat shows a note. */
  const [arrived, setArrived] = createSignal<Memory[]>([]);
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
  const append = (m: Memory) => void mutate((l) => (l?.some((x) => x.id === m.id) ? l : [...(l ?? []), m]));
  return {
    list,
    error,
    arrived,
    dismissArrived: () => setArrived([]),
    /** Reads them again; new ones are announced. */
    reload: async () => {
      const before = new Set((list() ?? []).map((m) => m.id));
      const next = await refetch();
      const fresh = (next ?? []).filter((m) => !before.has(m.id));
      if (fresh.length) setArrived(fresh);
    },
    add: (content: string, scope?: api.MemoryScope) => guard(async () => append(await api.addMemory(ref, { content, scope }))),
    pin: (messageId: string) => guard(async () => append(await api.addMemory(ref, { messageId }))),
    update: (id: string, patch: { content?: string; scope?: api.MemoryScope }) =>
      guard(async () => {
        const m = await api.updateMemory(ref, id, patch);
        mutate((l) => l?.map((x) => (x.id === id ? m : x)));
      }),
    remove: (id: string) =>
      guard(async () => {
        await api.deleteMemory(ref, id);
        mutate((l) => l?.filter((x) => x.id !== id));
      }),
  };
}

export type Memories = ReturnType<typeof createMemories>;
