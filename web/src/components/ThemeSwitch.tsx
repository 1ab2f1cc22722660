import type { Component } from "solid-js";
import { setTheme, type ThemeChoice, theme } from "../lib/theme";

/** Light, dark, or as the system says; kept across visits. */
const ThemeSwitch: Component = () => (
  <label class="inline small theme-switch">
    <span class="visually-hidden">Theme</span>
    <select data-testid="theme" aria-label="Theme" onChange={(e) => setTheme(e.currentTarget.value as ThemeChoice)}>
      <option value="system" selected={theme() === "system"}>
        System theme
      </option>
      <option value="light" selected={theme() === "light"}>
        Light
      </option>
      <option value="dark" selected={theme() === "dark"}>
        Dark
      </option>
    </select>
  </label>
);

export default ThemeSwitch;
