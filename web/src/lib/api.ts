/**
 * All HTTP to the worker: JSON calls, the SSE turn streams, and the access
 * token, kept in memory only and renewed silently through the refresh cookie.
 */
import { type ErrorCode, isErrorCode } from "../../../worker/shared/error-codes";
import type { AuthResponse, Character, CharacterText, Meta, PlanUsage, User } from "../../../worker/shared/wire";
import { readTurnEvents, type TurnEventWithId } from "./sse";

/**
 * Codes only the client makes: the server cannot be reached, a reply's stream
 * dropped for good, an answer that is no error of the contract (a proxy's page).
 */
export type ClientOnlyCode = "network" | "connection_lost" | "unexpected_response";
export type FailureCode = ErrorCode | ClientOnlyCode;

/** A failed call: the contract's error code, its message and hints. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: FailureCode,
    message: string,
    readonly retryAfter?: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

export type CharacterInput = CharacterText & Pick<Character, "visibility">;
export type TurnStream = AsyncIterable<TurnEventWithId>;

let accessToken: string | null = null;
/** Set while a refresh cookie is likely held (it is HttpOnly, so the page cannot see it): no refresh call without one. */
const HINT = "session-hint";
let refreshing: Promise<AuthResponse | null> | null = null;
let sessionListener: (auth: AuthResponse | null) => void = () => {};

/** Called with every new session (sign-in, refresh) and with null on sign-out. */
export function onSession(listener: (auth: AuthResponse | null) => void): void {
  sessionListener = listener;
}

function setSession(auth: AuthResponse | null): void {
  accessToken = auth?.accessToken ?? null;
  try {
    if (auth) localStorage.setItem(HINT, "1");
    else localStorage.removeItem(HINT);
  } catch {
    /* storage off: the hint only saves a request */
  }
  sessionListener(auth);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** An error answer (`{"error": {code, message, …}}`, wire.ts `ApiError`), read field by field. */
async function failure(res: Response): Promise<ApiFailure> {
  const body: unknown = await res.json().catch(() => null);
  const e = isObject(body) && isObject(body.error) ? body.error : {};
  const header = Number(res.headers.get("Retry-After"));
  const retryAfter = typeof e.retryAfter === "number" ? e.retryAfter : Number.isFinite(header) && header > 0 ? header : undefined;
  return new ApiFailure(
    res.status,
    isErrorCode(e.code) ? e.code : "unexpected_response",
    typeof e.message === "string" ? e.message : res.statusText,
    retryAfter,
    typeof e.field === "string" ? e.field : undefined,
  );
}

/** The access token for a WebSocket's subprotocol (browsers cannot set its headers). */
export const currentToken = () => accessToken;

/** False when this browser has surely no session: signed out, or never signed in. */
export function mayHaveSession(): boolean {
  try {
    return localStorage.getItem(HINT) === "1";
  } catch {
    return true;
  }
}

/** Renews the access token from the refresh cookie; concurrent callers share one request. */
export function refreshSession(): Promise<AuthResponse | null> {
  refreshing ??= (async () => {
    try {
      const res = await fetch("/api/auth/refresh", { method: "POST" });
      if (res.ok) {
        const auth = (await res.json()) as AuthResponse;
        setSession(auth);
        return auth;
      }
      if (res.status === 401) setSession(null);
      return null;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function call(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
  const headers = new Headers(init.headers);
  if (accessToken) headers.set("Authorization", `Bearer ${accessToken}`);
  if (typeof init.body === "string") headers.set("Content-Type", "application/json");
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new ApiFailure(0, "network", "The server cannot be reached.");
  }
  if (res.status === 401 && !retried && (await refreshSession())) return call(path, init, true);
  if (!res.ok) throw await failure(res);
  return res;
}

export async function json<T>(path: string, method = "GET", body?: unknown): Promise<T> {
  const res = await call(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return (res.status === 204 ? undefined : await res.json()) as T;
}

async function authenticate(path: string, body: unknown): Promise<AuthResponse> {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).catch(() => {
    throw new ApiFailure(0, "network", "The server cannot be reached.");
  });
  if (!res.ok) throw await failure(res);
  const auth = (await res.json()) as AuthResponse;
  setSession(auth);
  return auth;
}

/** Opens an SSE turn; null when the server answers 204 (nothing to follow). */
export async function stream(path: string, signal: AbortSignal, init: RequestInit = {}): Promise<TurnStream | null> {
  const headers = new Headers(init.headers);
  headers.set("Accept", "text/event-stream");
  const res = await call(path, { method: "POST", ...init, headers, signal });
  return res.status === 204 || !res.body ? null : readTurnEvents(res.body);
}

export const meta = () => json<Meta>("/api/meta");

export const register = (input: { username: string; email: string; password: string }) => authenticate("/api/auth/register", input);
export const login = (input: { login: string; password: string }) => authenticate("/api/auth/login", input);
export async function logout(): Promise<void> {
  await fetch("/api/auth/logout", { method: "POST" }).catch(() => undefined);
  setSession(null);
}

export const me = () => json<{ user: User }>("/api/me").then((r) => r.user);
export const updateMe = (patch: { displayName?: string; persona?: string }) =>
  json<{ user: User }>("/api/me", "PATCH", patch).then((r) => r.user);
export const changePassword = (currentPassword: string, newPassword: string) =>
  json<void>("/api/me/password", "POST", { currentPassword, newPassword });
export async function deleteMe(): Promise<void> {
  await json<void>("/api/me", "DELETE");
  setSession(null);
}
export const myUsage = () => json<PlanUsage>("/api/me/usage");
export const exportMe = () => call("/api/me/export").then((r) => r.blob());

export type CatalogueSort = "recent" | "popular" | "relevance";
export interface CatalogueParams {
  q: string;
  tag?: string | null;
  sort?: CatalogueSort | null;
  cursor?: string | null;
}
export const listCharacters = (p: CatalogueParams) => {
  const query = new URLSearchParams({ q: p.q });
  if (p.tag) query.set("tag", p.tag);
  if (p.sort) query.set("sort", p.sort);
  if (p.cursor) query.set("cursor", p.cursor);
  return json<{ characters: Character[]; nextCursor: string | null }>(`/api/characters?${query}`);
};
export const listTags = () => json<{ tags: { tag: string; count: number }[] }>("/api/characters/tags").then((r) => r.tags);
export const getCharacter = (id: string) =>
  json<{ character: Character }>(`/api/characters/${encodeURIComponent(id)}`).then((r) => r.character);
export const createCharacter = (input: CharacterInput) =>
  json<{ character: Character }>("/api/characters", "POST", input).then((r) => r.character);
export const updateCharacter = (id: string, input: Partial<CharacterInput>) =>
  json<{ character: Character }>(`/api/characters/${encodeURIComponent(id)}`, "PATCH", input).then((r) => r.character);
export const deleteCharacter = (id: string) => json<void>(`/api/characters/${encodeURIComponent(id)}`, "DELETE");
/** Imports a card file as it is (JSON or PNG); the server tells the format by its bytes. */
export async function importCardFile(file: Blob): Promise<Character> {
  const res = await call("/api/characters/import", {
    method: "POST",
    body: file,
    headers: { "Content-Type": file.type || "application/octet-stream" },
  });
  return ((await res.json()) as { character: Character }).character;
}
export const exportCard = (id: string) => json<unknown>(`/api/characters/${encodeURIComponent(id)}/card`);
export const exportCardPng = (id: string) => call(`/api/characters/${encodeURIComponent(id)}/card.png`).then((r) => r.blob());
export async function uploadAvatar(id: string, file: Blob): Promise<Character> {
  const res = await call(`/api/characters/${encodeURIComponent(id)}/avatar`, {
    method: "PUT",
    body: file,
    headers: { "Content-Type": file.type || "application/octet-stream" },
  });
  return ((await res.json()) as { character: Character }).character;
}
export const removeAvatar = (id: string) =>
  json<{ character: Character }>(`/api/characters/${encodeURIComponent(id)}/avatar`, "DELETE").then((r) => r.character);
