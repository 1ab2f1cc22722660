/** How a conversation is named in lists: its title, else what it is (the main one, a branch, a new chat of a day). */
import type { ChatInfo } from "../../../worker/shared/wire";

export function conversationName(c: Pick<ChatInfo, "id" | "title" | "branchedFrom" | "createdAt">): string {
  if (c.title.trim()) return c.title.trim();
  if (c.id === "main") return "First chat";
  const day = new Date(c.createdAt).toLocaleDateString(undefined, { month: "short", day: "numeric" });
  return c.branchedFrom ? `Branch of ${day}` : `Chat of ${day}`;
}
