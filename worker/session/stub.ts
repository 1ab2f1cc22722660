/**
 * The one place that names session objects: from the verified user id and
 * the character id, never from anything else the client sends.
 */
import type { Env } from "../env";

export function sessionName(userId: string, characterId: string): string {
  return `user:${userId}/character:${characterId}`;
}

export function sessionStub(env: Env, userId: string, characterId: string) {
  return env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName(sessionName(userId, characterId)));
}
