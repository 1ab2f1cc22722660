/**
 * The session object's vocabulary: who may call it, what a call answers,
 * the messages it stores and the operations its outbox carries to
 * PostgreSQL. Types only.
 */
import type { ErrorCode } from "../errors";
import type { Message, MessageStatus, Role } from "../shared/wire";

/** A conversation's owner and character: the object's identity, from the verified token. */
export interface Pair {
  userId: string;
  characterId: string;
}

/** The conversation every pair has; others are made by "new chat" and "branch". */
export const MAIN_CHAT = "main";

/** One conversation of a pair: `chat` is "main" or another conversation's id. */
export interface ChatRef extends Pair {
  chat: string;
}

/** Who calls: the verified user, the character in the path, and which of their conversations (main when absent). */
export interface Caller extends Pair {
  chat?: string;
  /** The worker request's span as a W3C traceparent, so the object's spans join its trace. */
  traceparent?: string;
}

/** An expected failure, returned (Durable Object RPC keeps nothing of a thrown error but its message). */
export interface Fail {
  ok: false;
  code: ErrorCode;
  retryAfter?: number;
  /** Replaces the table's message when the failure has specifics (a limit). */
  message?: string;
}

/** A session method's answer: its fields on success, or a failure from the error table. */
export type Result<T extends object = object> = ({ ok: true } & T) | Fail;

export type SendResult = Result<{ stream: ReadableStream<Uint8Array> }> | Result<{ userMessage: Message; reply: Message }>;

export interface SendInput extends Caller {
  content: string;
  clientMessageId?: string;
  stream: boolean;
}

export interface StoredMessage {
  id: string;
  /** The conversation it belongs to. */
  chat: string;
  role: Role;
  content: string;
  status: MessageStatus;
  tokens: number;
  clientId: string | null;
  parentId: string | null;
  active: boolean;
  createdAt: number;
}

export interface StoredMemory {
  id: string;
  /** The conversation it belongs to; null when pinned to the character (every conversation of the pair). */
  chat: string | null;
  content: string;
  tokens: number;
  sourceMessageId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One change waiting to reach PostgreSQL; each is idempotent there. */
export type OutboxOp =
  | { op: "message"; message: StoredMessage }
  | { op: "update"; id: string; content: string; status: MessageStatus; tokens: number; active: boolean }
  /** Rewind: every message of `chat` from (or after) `fromId` leaves the active history. */
  | { op: "deactivate"; chat: string; fromId: string; inclusive: boolean }
  /** A conversation's title changed. */
  | { op: "chat"; chat: string; title: string }
  /** A conversation was deleted, with its messages and memories. */
  | { op: "drop_chat"; chat: string }
  | { op: "memory"; memory: Omit<StoredMemory, "tokens"> }
  | { op: "forget"; id: string };
