/**
 * Every route of the API as the fuzz suite sees it: method, path with its
 * parameters, the fields of a well-formed body, and the query. A generated
 * request starts from that shape and breaks part of it: a field's value, the
 * whole body, a path or query value, a header, the token.
 */
import fc from "fast-check";
import { headerValue, hostileJson, hostileString, hostileValue, rawBody } from "./arbitraries";

type Kind = "text" | "password" | "email" | "username" | "uuid" | "visibility" | "card";
type Param = "characterId" | "messageId" | "memoryId" | "chatId";

export interface Route {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Path with :characterId, :messageId, :memoryId. */
  path: string;
  body?: Record<string, Kind>;
  query?: string[];
  /** Only ever sent with a bad token or none (a valid one would end the fuzzing user). */
  anonymousOnly?: boolean;
}

export const ROUTES: Route[] = [
  { method: "GET", path: "/healthz" },
  { method: "GET", path: "/readyz" },
  { method: "GET", path: "/api/meta" },
  { method: "POST", path: "/api/auth/register", body: { username: "username", email: "email", password: "password" } },
  { method: "POST", path: "/api/auth/login", body: { login: "username", password: "password" } },
  { method: "POST", path: "/api/auth/refresh" },
  { method: "POST", path: "/api/auth/logout" },
  { method: "GET", path: "/api/me" },
  { method: "PATCH", path: "/api/me", body: { displayName: "text", persona: "text" } },
  { method: "DELETE", path: "/api/me", anonymousOnly: true },
  { method: "POST", path: "/api/me/password", body: { currentPassword: "password", newPassword: "password" } },
  { method: "GET", path: "/api/me/export" },
  { method: "GET", path: "/api/me/personas" },
  { method: "POST", path: "/api/me/personas", body: { name: "text", description: "text" } },
  { method: "PATCH", path: "/api/me/personas/:messageId", body: { name: "text", description: "text" } },
  { method: "DELETE", path: "/api/me/personas/:messageId" },
  { method: "GET", path: "/api/search", query: ["q", "limit"] },
  { method: "GET", path: "/api/characters", query: ["q", "cursor"] },
  {
    method: "POST",
    path: "/api/characters",
    body: {
      name: "text",
      tagline: "text",
      description: "text",
      greeting: "text",
      scenario: "text",
      exampleDialogues: "text",
      visibility: "visibility",
    },
  },
  { method: "POST", path: "/api/characters/import", body: { spec: "text", spec_version: "text", data: "card" } },
  { method: "GET", path: "/api/characters/:characterId" },
  { method: "PATCH", path: "/api/characters/:characterId", body: { name: "text", description: "text", visibility: "visibility" } },
  { method: "DELETE", path: "/api/characters/:characterId" },
  { method: "GET", path: "/api/characters/:characterId/card" },
  { method: "GET", path: "/api/character/:characterId" },
  { method: "GET", path: "/api/chats" },
  { method: "DELETE", path: "/api/chats/:characterId" },
  { method: "GET", path: "/api/chats/:characterId/conversations" },
  { method: "POST", path: "/api/chats/:characterId/conversations", body: { title: "text", fromMessageId: "uuid", fromChat: "text" } },
  { method: "PATCH", path: "/api/chats/:characterId/c/:chatId", body: { title: "text" } },
  { method: "DELETE", path: "/api/chats/:characterId/c/:chatId" },
  { method: "GET", path: "/api/chats/:characterId/live" },
  { method: "PUT", path: "/api/chats/:characterId/persona", body: { personaId: "uuid" } },
  { method: "DELETE", path: "/api/chats/:characterId/messages/:messageId" },
  { method: "PATCH", path: "/api/chats/:characterId/messages/:messageId", body: { content: "text" } },
  { method: "POST", path: "/api/chats/:characterId/continue" },
  { method: "GET", path: "/api/chats/:characterId/c/:chatId/messages", query: ["before", "limit"] },
  { method: "POST", path: "/api/chats/:characterId/c/:chatId/messages", body: { content: "text", clientMessageId: "text" } },
  { method: "POST", path: "/api/chats/:characterId/c/:chatId/memories", body: { content: "text", scope: "text" } },
  { method: "GET", path: "/api/chats/:characterId/messages", query: ["before", "limit"] },
  { method: "POST", path: "/api/chats/:characterId/messages", body: { content: "text", clientMessageId: "text" } },
  { method: "POST", path: "/api/chats/:characterId/regenerate" },
  { method: "POST", path: "/api/chats/:characterId/messages/:messageId/edit", body: { content: "text" } },
  { method: "POST", path: "/api/chats/:characterId/messages/:messageId/choose" },
  { method: "POST", path: "/api/chats/:characterId/rewind", body: { messageId: "uuid" } },
  { method: "POST", path: "/api/chats/:characterId/cancel" },
  { method: "GET", path: "/api/chats/:characterId/stream", query: ["after"] },
  { method: "GET", path: "/api/chats/:characterId/messages/:messageId/context" },
  { method: "GET", path: "/api/chats/:characterId/memories" },
  { method: "POST", path: "/api/chats/:characterId/memories", body: { content: "text", scope: "text" } },
  { method: "PATCH", path: "/api/chats/:characterId/memories/:memoryId", body: { content: "text" } },
  { method: "DELETE", path: "/api/chats/:characterId/memories/:memoryId" },
  { method: "POST", path: "/api/chat", body: { characterId: "uuid", message: "text" } },
];

/** Ids the fuzzing user may aim at: its own, the victim's (private and public), and unknown ones. */
export interface Targets {
  characterIds: string[];
  messageIds: string[];
  memoryIds: string[];
  /** The fuzzing user's valid access token, and tokens that must be refused. */
  token: string;
  badTokens: string[];
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

function plausible(kind: Kind, t: Targets): fc.Arbitrary<unknown> {
  switch (kind) {
    case "uuid":
      return fc.oneof(fc.constantFrom(...t.characterIds, ...t.messageIds), fc.uuid());
    case "visibility":
      return fc.constantFrom("public", "private");
    case "email":
      return fc.emailAddress();
    case "username":
      return fc.stringMatching(/^[A-Za-z0-9_.-]{3,20}$/);
    case "password":
      return fc.string({ minLength: 8, maxLength: 30 });
    case "card":
      return fc.record({
        name: fc.string({ minLength: 1, maxLength: 20 }),
        description: fc.string(),
        first_mes: fc.string(),
        extensions: hostileJson,
      });
    default:
      return fc.string({ minLength: 1, maxLength: 60 });
  }
}

function bodyOf(route: Route, t: Targets): fc.Arbitrary<Uint8Array | string | undefined> {
  const fields = route.body ?? {};
  const shaped = fc.record(
    Object.fromEntries(
      Object.entries(fields).map(([name, kind]) => [
        name,
        fc.oneof({ weight: 2, arbitrary: plausible(kind, t) }, { weight: 3, arbitrary: hostileValue }),
      ]),
    ),
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: route.body ? 6 : 1, arbitrary: shaped.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: rawBody },
    { weight: route.body ? 0 : 3, arbitrary: fc.constant(undefined) },
  );
}

/**
 * A string as a URL can carry it: surrogates have no UTF-8 form to
 * percent-encode, and a request head past ~16 KiB is refused by the runtime
 * itself (431) before the worker runs, as Cloudflare's edge does (414/431).
 */
const urlPart = (s: string) => s.replace(/[\ud800-\udfff]/g, "").slice(0, 1000);

function pathValue(param: Param, t: Targets): fc.Arbitrary<string> {
  const known =
    param === "characterId"
      ? t.characterIds
      : param === "messageId"
        ? t.messageIds
        : param === "chatId"
          ? ["main", ...t.messageIds]
          : t.memoryIds;
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileString.map((s) => encodeURIComponent(urlPart(s)) || "%00") },
    { weight: 1, arbitrary: fc.constantFrom("%00", "..%2F..%2F", "%ZZ", "%E0%A4%A", "%ED%A0%80", ".", "..", "%2e%2e") },
  );
}

const queryValue = fc.oneof(
  hostileString.map((s) => encodeURIComponent(urlPart(s))),
  fc.constantFrom("%00", "%ZZ", "%ED%A0%80", "-1", "1e309", "0", "99999999999", "a%20b", "[]", "%"),
);

/** A request to one route, broken in any of the ways above. */
export function requestFor(route: Route, t: Targets): fc.Arbitrary<FuzzRequest> {
  const params = (route.path.match(/:(\w+)/g) ?? []).map((p) => p.slice(1) as Param);
  const auth = route.anonymousOnly
    ? fc.constantFrom<string | undefined>(undefined, ...t.badTokens)
    : fc.oneof(
        { weight: 5, arbitrary: fc.constant(t.token) },
        { weight: 2, arbitrary: fc.constantFrom<string | undefined>(undefined, ...t.badTokens) },
      );
  return fc
    .record({
      values: fc.tuple(...params.map((p) => pathValue(p, t))),
      query: fc.array(fc.tuple(fc.constantFrom(...(route.query ?? ["x"])), queryValue), { maxLength: 3 }),
      body: bodyOf(route, t),
      auth,
      contentType: fc.oneof({ weight: 5, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: headerValue }),
      accept: fc.constantFrom("application/json", "text/event-stream", "*/*", "text/html", ""),
      extra: fc.dictionary(
        fc.constantFrom("last-event-id", "cookie", "cf-connecting-ip", "x-forwarded-for", "origin", "range"),
        headerValue,
        {
          maxKeys: 2,
        },
      ),
    })
    .map(({ values, query, body, auth, contentType, accept, extra }) => {
      let path = route.path;
      params.forEach((p, i) => {
        path = path.replace(`:${p}`, values[i]);
      });
      if (query.length) path += `?${query.map(([k, v]) => `${k}=${v}`).join("&")}`;
      const headers: Record<string, string> = { ...extra, accept };
      if (auth) headers.authorization = auth;
      if (body !== undefined) headers["content-type"] = contentType;
      return { method: route.method, path, headers, body };
    });
}

/** Any request to any route. */
export const anyRequest = (t: Targets) => fc.oneof(...ROUTES.map((r) => requestFor(r, t)));
