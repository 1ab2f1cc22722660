/**
 * Form rules, checked in the browser before anything is sent, with messages a
 * person can act on. They mirror the server's schemas (worker/routes/*), so a
 * form that passes here is not refused for its shape; when the server still
 * names a field, `fieldMessage` words it the same way. Pure.
 */

export type Rule = (value: string) => string | null;
export type Rules<K extends string> = Partial<Record<K, Rule[]>>;

export const required =
  (label: string): Rule =>
  (v) =>
    v.trim() ? null : `${label} is required.`;

export const maxLength =
  (label: string, max: number): Rule =>
  (v) =>
    v.length > max ? `${label} may be at most ${max.toLocaleString("en")} characters (now ${v.length.toLocaleString("en")}).` : null;

export const username: Rule = (v) =>
  /^[A-Za-z0-9_.-]{3,32}$/.test(v.trim()) ? null : "Use 3 to 32 letters, digits, dots, dashes or underscores (no spaces).";

export const email: Rule = (v) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) ? null : "Enter an email address like name@example.com.");

export const password: Rule = (v) => (v.length < 8 ? "Use at least 8 characters." : v.length > 128 ? "Use at most 128 characters." : null);

/** The first failing rule's message for each field; empty when the form may be sent. */
export function check<K extends string>(values: Record<K, string>, rules: Rules<K>): Partial<Record<K, string>> {
  const errors: Partial<Record<K, string>> = {};
  for (const key of Object.keys(rules) as K[]) {
    for (const rule of rules[key] ?? []) {
      const message = rule(values[key] ?? "");
      if (message) {
        errors[key] = message;
        break;
      }
    }
  }
  return errors;
}

const FIELD_WORDS: Record<string, string> = {
  username: "Use 3 to 32 letters, digits, dots, dashes or underscores (no spaces).",
  email: "Enter an email address like name@example.com.",
  password: "Use at least 8 characters.",
  newPassword: "Use at least 8 characters.",
  name: "Enter a name of at most 100 characters.",
  displayName: "Enter a display name of 1 to 64 characters.",
  tagline: "The tagline may be at most 200 characters.",
  title: "A title may be at most 200 characters.",
  content: "Write something first.",
};

/** What to tell a person when the server refused field `field` (never the validator's own text). */
export function fieldMessage(field: string | undefined): string | null {
  if (!field) return null;
  const key = field.replace(/^data\./, "").split(".")[0];
  return FIELD_WORDS[key] ?? null;
}

/** Focuses the first field that has an error, so keyboard and screen-reader users land on it. */
export function focusFirstError(form: HTMLFormElement | undefined): void {
  queueMicrotask(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
