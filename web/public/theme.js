// Sets the colour theme before the first paint (an external file: the app's CSP allows no inline script).
// The choice is "light", "dark" or "system" (the default), kept in localStorage by the app (web/src/lib/theme.ts).
(() => {
  let choice = "system";
  try {
    choice = localStorage.getItem("theme") || "system";
  } catch {}
  const dark = choice === "dark" || (choice === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
})();
