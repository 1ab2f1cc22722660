/** A tiny history router: the path as a signal, navigate(), and path patterns. */
import { createSignal } from "solid-js";

const [path, setPath] = createSignal(window.location.pathname);
const [query, setQuery] = createSignal(window.location.search);
window.addEventListener("popstate", () => {
  setQuery(window.location.search);
  setPath(window.location.pathname);
});

/** The current path, reactive. */
export const pathname = path;

/** One parameter of the current query string, reactive. */
export const queryParam = (name: string): string | null => new URLSearchParams(query()).get(name);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history[options.replace ? "replaceState" : "pushState"](null, "", to);
  // The query first: a page built for the new path reads it as it is created.
  setQuery(window.location.search);
  setPath(window.location.pathname);
  window.scrollTo(0, 0);
}

/** Matches "/chat/:id" style patterns; returns the params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}
