/**
 * What a PostgreSQL error means for the client, when the request (not the
 * service) is at fault. drizzle wraps the driver's error as its cause.
 */
import type { ErrorCode } from "../errors";

interface PgError {
  code?: unknown;
  constraint_name?: unknown;
  cause?: unknown;
}

function pgError(err: unknown): PgError | undefined {
  for (let e = err as PgError | undefined, depth = 0; e && depth < 3; e = e.cause as PgError | undefined, depth++) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e;
  }
  return undefined;
}

/**
 * The error-table code for a PostgreSQL error a client caused, or null:
 * a write that references a user who no longer exists (an account deleted
 * while its access token lives) is 401; a data exception (class 22: text
 * PostgreSQL cannot store, a value out of range) or a document too deep
 * (54001) is 400. Everything else stays the service's fault.
 */
export function clientFault(err: unknown): ErrorCode | null {
  const e = pgError(err);
  if (!e) return null;
  const code = e.code as string;
  if (code === "23503" && typeof e.constraint_name === "string" && e.constraint_name.endsWith("_users_id_fk")) return "unauthorized";
  if (code.startsWith("22") || code === "54001") return "invalid_input";
  return null;
}
