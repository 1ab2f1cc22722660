import type { Component, JSX } from "solid-js";
import { navigate, pathname } from "../lib/router";

/** An anchor that navigates inside the app; modified clicks open tabs as usual. */
const Link: Component<{ href: string; class?: string; children: JSX.Element; "data-testid"?: string; "aria-label"?: string }> = (props) => (
  <a
    href={props.href}
    class={props.class}
    data-testid={props["data-testid"]}
    aria-label={props["aria-label"]}
    aria-current={pathname() === props.href ? "page" : undefined}
    onClick={(e) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(props.href);
    }}
  >
    {props.children}
  </a>
);

export default Link;
