import { type Component, createEffect, on } from "solid-js";
import { enhanceCode } from "../lib/code-blocks";
import { renderMarkdown } from "../lib/markdown";

/** Sanitised Markdown (the only place the app sets innerHTML), with code blocks given a Copy button and, when settled, highlighting. */
const Markdown: Component<{ text: string; class?: string; streaming?: boolean }> = (props) => {
  let el!: HTMLDivElement;
  createEffect(on([() => props.text, () => props.streaming], () => enhanceCode(el, !props.streaming)));
  return <div ref={el} class={`md ${props.class ?? ""}`} innerHTML={renderMarkdown(props.text)} />;
};

export default Markdown;
