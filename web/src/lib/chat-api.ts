/**
 * The conversation half of the API: a character's conversations (the main
 * one and any other), their messages, turns, tools and memories; search and
 * personas. The main conversation lives at /api/chats/:characterId, any
 * other at /api/chats/:characterId/c/:chatId, with the same sub-routes.
 */
import type { ChatInfo, ChatSummary, Memory, Message, Persona, PromptLedger, SearchHit } from "../../../worker/shared/wire";
import { json, stream, type TurnStream } from "./api";

export type TurnStreamOrNull = TurnStream | null;

/** One conversation: the character and "main" or the id of another conversation. */
export interface ChatRef {
  characterId: string;
  chatId: string;
}

export const MAIN = "main";
const enc = encodeURIComponent;
const pair = (characterId: string) => `/api/chats/${enc(characterId)}`;

/** The conversation's API path. */
export function chatPath(ref: ChatRef): string {
  return ref.chatId === MAIN ? pair(ref.characterId) : `${pair(ref.characterId)}/c/${enc(ref.chatId)}`;
}

/** The conversation's page in the app. */
export function chatHref(ref: ChatRef, messageId?: string): string {
  const base = ref.chatId === MAIN ? `/chat/${enc(ref.characterId)}` : `/chat/${enc(ref.characterId)}/${enc(ref.chatId)}`;
  return messageId ? `${base}?m=${enc(messageId)}` : base;
}

const msg = (ref: ChatRef, id: string) => `${chatPath(ref)}/messages/${enc(id)}`;

export const listChats = () => json<{ chats: ChatSummary[] }>("/api/chats").then((r) => r.chats);
export const listConversations = (characterId: string) =>
  json<{ conversations: ChatInfo[] }>(`${pair(characterId)}/conversations`).then((r) => r.conversations);
export const newConversation = (characterId: string, input: { title?: string; fromMessageId?: string; fromChat?: string }) =>
  json<{ conversation: ChatInfo }>(`${pair(characterId)}/conversations`, "POST", input).then((r) => r.conversation);
export const renameConversation = (ref: ChatRef, title: string) => json<void>(chatPath(ref), "PATCH", { title });
/** Deletes one conversation; the main one goes with every conversation with the character. */
export const deleteConversation = (ref: ChatRef) => json<void>(ref.chatId === MAIN ? pair(ref.characterId) : chatPath(ref), "DELETE");
export const choosePersona = (ref: ChatRef, personaId: string | null) =>
  json<{ persona: Persona | null }>(`${chatPath(ref)}/persona`, "PUT", { personaId }).then((r) => r.persona);

export interface HistoryPage {
  messages: Message[];
  nextBefore: string | null;
  /** The longest message the character can read beside its sheet, in tokens. */
  maxMessageTokens?: number;
}
export const listMessages = (ref: ChatRef, before?: string | null, limit = 30) =>
  json<HistoryPage>(`${chatPath(ref)}/messages?${new URLSearchParams({ limit: String(limit), ...(before ? { before } : {}) })}`);

export const sendMessage = (ref: ChatRef, content: string, clientMessageId: string, signal: AbortSignal) =>
  stream(`${chatPath(ref)}/messages`, signal, { body: JSON.stringify({ content, clientMessageId }) });
/** Another version of the last reply, or a reply to a user message left without one. */
export const regenerate = (ref: ChatRef, signal: AbortSignal) => stream(`${chatPath(ref)}/regenerate`, signal);
/** More of the last reply, when it was cut off. */
export const continueReply = (ref: ChatRef, signal: AbortSignal) => stream(`${chatPath(ref)}/continue`, signal);
export const editMessage = (ref: ChatRef, messageId: string, content: string, signal: AbortSignal) =>
  stream(`${msg(ref, messageId)}/edit`, signal, { body: JSON.stringify({ content }) });
/** Replays what was missed of the in-flight reply, then follows it live. */
export const resumeStream = (ref: ChatRef, lastEventId: string | null, signal: AbortSignal) =>
  stream(`${chatPath(ref)}/stream`, signal, { method: "GET", headers: lastEventId ? { "Last-Event-ID": lastEventId } : {} });
export const cancelTurn = (ref: ChatRef) => json<{ cancelled: boolean }>(`${chatPath(ref)}/cancel`, "POST");
export const chooseAlternative = (ref: ChatRef, messageId: string) =>
  json<{ message: Message }>(`${msg(ref, messageId)}/choose`, "POST").then((r) => r.message);
export const rewind = (ref: ChatRef, messageId: string) =>
  json<{ messages: Message[] }>(`${chatPath(ref)}/rewind`, "POST", { messageId }).then((r) => r.messages);
/** Deletes a message; a user message goes with its replies. */
export const deleteMessage = (ref: ChatRef, messageId: string) => json<void>(msg(ref, messageId), "DELETE");
/** Changes what the character said. */
export const editReply = (ref: ChatRef, messageId: string, content: string) =>
  json<{ message: Message }>(msg(ref, messageId), "PATCH", { content }).then((r) => r.message);
export const promptContext = (ref: ChatRef, messageId: string) =>
  json<{ ledger: PromptLedger }>(`${msg(ref, messageId)}/context`).then((r) => r.ledger);

export type MemoryScope = Memory["scope"];
export const listMemories = (ref: ChatRef) => json<{ memories: Memory[] }>(`${chatPath(ref)}/memories`).then((r) => r.memories);
export const addMemory = (ref: ChatRef, input: ({ content: string } | { messageId: string }) & { scope?: MemoryScope }) =>
  json<{ memory: Memory }>(`${chatPath(ref)}/memories`, "POST", input).then((r) => r.memory);
export const updateMemory = (ref: ChatRef, id: string, patch: { content?: string; scope?: MemoryScope }) =>
  json<{ memory: Memory }>(`${chatPath(ref)}/memories/${enc(id)}`, "PATCH", patch).then((r) => r.memory);
export const deleteMemory = (ref: ChatRef, id: string) => json<void>(`${chatPath(ref)}/memories/${enc(id)}`, "DELETE");

export const search = (q: string) => json<{ results: SearchHit[] }>(`/api/search?${new URLSearchParams({ q })}`).then((r) => r.results);

export const listPersonas = () => json<{ personas: Persona[] }>("/api/me/personas").then((r) => r.personas);
export const createPersona = (input: { name: string; description: string }) =>
  json<{ persona: Persona }>("/api/me/personas", "POST", input).then((r) => r.persona);
export const updatePersona = (id: string, input: { name?: string; description?: string }) =>
  json<{ persona: Persona }>(`/api/me/personas/${enc(id)}`, "PATCH", input).then((r) => r.persona);
export const deletePersona = (id: string) => json<void>(`/api/me/personas/${enc(id)}`, "DELETE");
