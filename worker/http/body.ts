/**
 * Reading request bodies: a hard byte limit that holds for chunked bodies
 * too, bounded JSON (depth, keys, storable strings), and schema validation,
 * each with its own error code.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../errors";
import { BODY_JSON_LIMITS, jsonProblem, nestingDepth } from "./json-limits";

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** The body's bytes, refusing more than `limit` whether or not Content-Length is sent. */
export async function readBytes(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw new AppError("content_too_large");
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AppError("content_too_large");
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

/** The body as text, refusing more than `limit` bytes whether or not Content-Length is sent. */
export async function readText(req: Request, limit = DEFAULT_BODY_LIMIT): Promise<string> {
  return new TextDecoder().decode(await readBytes(req, limit));
}

/** Parse and validate a JSON body against `schema`. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, limit = DEFAULT_BODY_LIMIT): Promise<z.infer<S>> {
  const text = await readText(c.req.raw, limit);
  const limits = BODY_JSON_LIMITS;
  if (nestingDepth(text, limits.maxDepth) > limits.maxDepth)
    throw new AppError("invalid_input", { message: `The body is nested more than ${limits.maxDepth} levels deep.` });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json");
  }
  const problem = jsonProblem(value, limits);
  if (problem) throw new AppError("invalid_input", problem);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || undefined;
    throw new AppError("invalid_input", { field, message: field ? `${field}: ${issue?.message}` : issue?.message });
  }
  return parsed.data;
}
