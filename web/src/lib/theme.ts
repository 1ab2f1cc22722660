/**
 * The colour theme: light, dark, or the system's (the default), chosen in
 * the top bar and kept in localStorage. public/theme.js applies the same
 * rule before the first paint; this module follows changes after it.
 */
import { createSignal } from "solid-js";

export type ThemeChoice = "light" | "dark" | "system";
const KEY = "theme";
const media = window.matchMedia("(prefers-color-scheme: dark)");

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

const [choice, setChoice] = createSignal<ThemeChoice>(stored());

function apply(): void {
  const c = choice();
  document.documentElement.dataset.theme = c === "dark" || (c === "system" && media.matches) ? "dark" : "light";
}
media.addEventListener("change", apply);
apply();

export const theme = choice;

export function setTheme(c: ThemeChoice): void {
  setChoice(c);
  try {
    if (c === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, c);
  } catch {
    /* not kept across visits, still applied now */
  }
  apply();
}
