import type { Component } from "solid-js";
import { hue, initials } from "../lib/format";

/** A character's initials on a colour derived from its name. */
const Avatar: Component<{ name: string; size?: "small" | "large" }> = (props) => (
  <span class={`avatar ${props.size ?? ""}`} style={{ "--hue": String(hue(props.name)) }} aria-hidden="true">
    {initials(props.name)}
  </span>
);

export default Avatar;
