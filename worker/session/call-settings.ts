/**
 * What a conversation's upstream calls depend on besides the prompt: the
 * owner's plan (signed into each tunnel token) and the model's window as the
 * upstream reports it (the budget follows it), both kept in the object's
 * storage; and the tokenizer calibration that shrinks the budget when the
 * upstream counts more tokens than we do.
 */
import type { CharacterSnapshot } from "../context/system-prompt";
import { budgetFor, llmConfig } from "../llm/config";
import { createCalibration } from "./calibration";
import type { SessionConfig } from "./config";
import { createModelWindows } from "./model-windows";
import type { SessionPg } from "./pg";
import type { Store } from "./store";
import { createUserPlan } from "./user-plan";
import type { Hot } from "./window";

export function createCallSettings(config: SessionConfig, store: Store, pg: SessionPg) {
  const calibration = createCalibration(store);
  const windows = createModelWindows(store);
  const plan = createUserPlan(store, pg);
  /** The budget for a character's model: its window as the upstream reports it, else the configured one. */
  const budgetOf = (model: string | null | undefined) => budgetFor(config.budget, windows.known(model || config.llm.model));
  /** The config of a call for this conversation: its tokens carry the session, the user and the user's plan. */
  const callConfig = (hot: Hot, character: CharacterSnapshot) =>
    llmConfig(config.llm, { sessionId: hot.sessionId, userId: hot.pair.userId, limits: plan.known() }, character.model);
  return {
    calibration,
    budgetOf,
    callConfig,
    /** The prompt budget, shrunk when the upstream counts more tokens than we do. */
    promptBudget: (model: string | null | undefined) => Math.floor(budgetOf(model).prompt / calibration.current()),
    /** Makes sure the owner's plan has been read and the model's window asked, both at once: on a first turn they are on the first-token path. */
    async prepare(hot: Hot, character: CharacterSnapshot, waitUntil: (p: Promise<unknown>) => void): Promise<void> {
      await Promise.all([plan.prepare(hot.pair.userId, waitUntil), windows.prepare(callConfig(hot, character), waitUntil)]);
    },
  };
}
