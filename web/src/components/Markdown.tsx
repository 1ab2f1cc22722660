import type { Component } from "solid-js";
import { renderMarkdown } from "../lib/markdown";

/** Sanitised Markdown; the only place the app sets innerHTML. */
const Markdown: Component<{ text: string; class?: string }> = (props) => (
  <div class={`md ${props.class ?? ""}`} innerHTML={renderMarkdown(props.text)} />
);

export default Markdown;
