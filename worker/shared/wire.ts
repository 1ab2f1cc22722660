/**
 * Wire types of the public HTTP contract (../shared/DESIGN.md), shared by the
 * worker and the web client. Types only: nothing here runs.
 */
import type { ErrorCode } from "./error-codes";

export type { ErrorCode } from "./error-codes";

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

/** `GET /api/me/usage`: the user's plan, and today's tokens at the LLM gateway (null when it cannot say). */
export interface PlanUsage {
  plan: string;
  /** Completion tokens per UTC day. */
  dailyTokens: number;
  /** Replies being written at once. */
  maxStreams: number;
  today: { day: string; usedTokens: number; resetsIn: number } | null;
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

/** What a person writes about a character (a card carries the same). */
export type CharacterText = Pick<Character, "name" | "tagline" | "description" | "greeting" | "scenario" | "exampleDialogues">;

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

/** One conversation in the caller's list (GET /api/chats). */
export interface ChatSummary {
  characterId: string;
  /** "main", or the id of another conversation with the same character. */
  chatId: string;
  title: string;
  character: Character;
  lastMessage: Message | null;
  updatedAt: string;
}

/** Who the user is in a conversation (GET /api/me/personas); a conversation without one uses the profile. */
export interface Persona {
  id: string;
  name: string;
  description: string;
}

/** A message found by GET /api/search, with where it is. */
export interface SearchHit {
  characterId: string;
  characterName: string;
  chatId: string;
  chatTitle: string;
  /** The matched words marked «like this». */
  snippet: string;
  message: Message;
}

/** One of the user's conversations with a character ("main", or a new chat or branch). */
export interface ChatInfo {
  id: string;
  title: string;
  /** The message of another conversation this one was branched from. */
  branchedFrom: string | null;
  createdAt: string;
  lastMessage: Message | null;
  /** The persona chosen for this conversation; null: the profile's name and persona. */
  persona: Persona | null;
}

export interface Memory {
  id: string;
  /** "chat": this conversation only; "character": every conversation with the character. */
  scope: "chat" | "character";
  content: string;
  sourceMessageId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Why an older turn was recalled into a prompt. */
export interface RecallWhy {
  /** The words of the new message (or of the turns just before it) that this turn matched. */
  matched: string[];
  /** Its relevance: BM25 over word stems, plus a share of the best matching turn said next to it. */
  score: number;
  /** "match": it matched; "near": it was said next to a matching turn (the other half of its exchange, the answer to it, …). */
  via: "match" | "near";
  /** 1: matched the message's words; 2: matched names found in the first hits (a second hop). */
  hop: 1 | 2;
  /** When it was said (the conversation's own date marker, or the day it was stored). */
  date: string | null;
}

/** What went into one turn's prompt: readable at /messages/:id/context. */
export interface PromptLedger {
  budget: number;
  used: number;
  shares: Record<string, { budget: number; used: number }>;
  /** `recall` is set on turns the recall section brought back. */
  included: { id: string; role: Role | "system"; tokens: number; source: string; recall?: RecallWhy }[];
  excluded: { id: string; tokens: number; reason: string }[];
  /** Lorebook entries that fired this turn and what set them off: a key (and the secondary key that satisfied it), or always on. */
  lore?: { id: string; name: string; trigger: "constant" | "key"; key?: string; secondary?: string }[];
}

/** Every error answer: `{"error": {"code", "message", …}}` with the table's status (error-codes.ts). */
export interface ApiError {
  error: { code: ErrorCode; message: string; requestId?: string; field?: string; retryAfter?: number };
}

/**
 * Server-sent events of a turn; every event also carries an SSE `id:`
 * (`<turn id>.<frame index>`, what `Last-Event-ID` resumes from). `done`
 * has no message when a cancelled reply had no text yet; `error` carries
 * the table's code and message and the reply as far as it got.
 */
export type TurnEvent =
  | { event: "message"; data: { message: Message } }
  | { event: "token"; data: { text: string } }
  | { event: "done"; data: { message?: Message } }
  | { event: "error"; data: { code: ErrorCode; message: string; partial?: Message } };

export type TurnEventName = TurnEvent["event"];

export interface Meta {
  devLlm: boolean;
  model: string;
}

/**
 * A change to one of the pair's conversations, pushed to every open client
 * (GET /api/chats/:characterId/live, WebSocket or SSE). `message` carries the
 * stored message; the others say what to read again.
 */
export type LiveEvent =
  | { type: "message"; chat: string; message: Message }
  | { type: "turn"; chat: string; turnId: string; userMessageId: string }
  | { type: "history"; chat: string }
  | { type: "memories"; chat: string }
  | { type: "chats" };
