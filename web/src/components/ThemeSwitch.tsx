import type { Component } from "solid-js";
import { setTheme, type ThemeChoice, theme } from "../lib/theme";

/** Light, dark, or as the system says; kept across visits. */
const ThemeSwitch: Component = () => (
  <label class="inline small theme-switch">
    <span class="visually-hidden">Theme</span>
    <select data-testid="theme" aria-label="Theme" value={theme()} onChange={(e) => setTheme(e.currentTarget.value as ThemeChoice)}>
      <option value="system">System theme</option>
      <option value="light">Light</option>
      <option value="dark">Dark</option>
    </select>
  </label>
);

export default ThemeSwitch;
