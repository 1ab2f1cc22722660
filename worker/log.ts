/**
 * Structured log lines. They carry events, codes, ids and sizes, never
 * message content: an error's message can hold query parameters (a user's
 * text), so only its code or name is logged.
 */
type Field = string | number | boolean | undefined;

export function logEvent(level: "info" | "warn" | "error", event: string, fields: Record<string, Field> = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** What may be logged of an error: a code (SQLSTATE, errno) or its name. */
export function errorKind(err: unknown): string {
  for (
    let e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 3;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === "string" && e.code) return e.code;
    if (typeof e.code === "number") return String(e.code);
  }
  const name = (err as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && name ? name : "error";
}
