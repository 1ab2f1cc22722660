/**
 * Wire types of the public HTTP contract (../shared/DESIGN.md), shared by the
 * worker and the web client. Types only: nothing here runs.
 */

export type Visibility = "public" | "private";
export type Role = "user" | "assistant";
export type MessageStatus = "complete" | "cancelled" | "interrupted" | "error";

export interface User {
  id: string;
  username: string;
  email: string;
  displayName: string;
  persona: string;
  createdAt: string;
}

export interface Character {
  id: string;
  creatorId: string;
  name: string;
  tagline: string;
  description: string;
  greeting: string;
  scenario: string;
  exampleDialogues: string;
  visibility: Visibility;
  createdAt: string;
  updatedAt: string;
  /** The avatar image (content-addressed, cacheable forever), or null for initials. */
  avatarUrl: string | null;
  /** The card's tags, lower case. */
  tags: string[];
}

export interface Message {
  id: string;
  role: Role;
  content: string;
  status: MessageStatus;
  createdAt: string;
  /** Other versions of this reply (regenerate / swipe), when any. */
  alternatives?: { id: string; content: string; status: MessageStatus }[];
}

export interface AuthResponse {
  user: User;
  accessToken: string;
  expiresIn: number;
}

export interface ChatSummary {
  characterId: string;
  character: Character;
  lastMessage: Message | null;
  updatedAt: string;
}

export interface Memory {
  id: string;
  content: string;
  sourceMessageId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What went into one turn's prompt: readable at /messages/:id/context. */
export interface PromptLedger {
  budget: number;
  used: number;
  shares: Record<string, { budget: number; used: number }>;
  included: { id: string; role: Role | "system"; tokens: number; source: string }[];
  excluded: { id: string; tokens: number; reason: string }[];
}

export interface ApiError {
  error: { code: string; message: string; requestId?: string; field?: string; retryAfter?: number };
}

/** Server-sent events of a turn; every event also carries an SSE `id:`. */
export type TurnEvent =
  | { event: "message"; data: { message: Message } }
  | { event: "token"; data: { text: string } }
  | { event: "done"; data: { message: Message } }
  | { event: "error"; data: { code: string; message: string; partial?: Message } };

export interface Meta {
  devLlm: boolean;
  model: string;
}
