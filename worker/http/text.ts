/**
 * Text a client sends, as one zod building block. PostgreSQL cannot store
 * U+0000 in `text` or `jsonb` (a row with one wedges whatever writes it), and
 * an unpaired UTF-16 surrogate has no UTF-8 form (drivers silently turn it
 * into U+FFFD, so what is stored would differ from what was acknowledged).
 * Both are refused at the boundary with `400 invalid_input` naming the field,
 * never replaced: the client learns its text was not taken as sent.
 */
import { z } from "zod";

const NUL = "\u0000";
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` cannot be stored as text, or null when it can. */
export function textProblem(s: string): string | null {
  if (s.includes(NUL)) return "must not contain U+0000 (NUL)";
  if (LONE_SURROGATE.test(s)) return "must not contain an unpaired UTF-16 surrogate";
  return null;
}

/**
 * A string field that can be stored as sent; chain `.trim()`, `.min()`,
 * `.max()`, `.regex()` as with `z.string()`.
 */
export function text() {
  return z.string().superRefine((s, ctx) => {
    const problem = textProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}
