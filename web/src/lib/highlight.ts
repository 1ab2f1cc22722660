/**
 * Syntax highlighting for code blocks: highlight.js's core with the
 * languages people paste most, so the lazy chunk stays small. Loaded by
 * code-blocks.ts on first use only.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

const languages = { bash, c, cpp, css, go, java, javascript, json, markdown, python, rust, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

/** Highlights one `code` element in place; a named language it does not know is guessed among those it does. */
export function highlightBlock(code: HTMLElement): void {
  const text = code.textContent ?? "";
  const named = /language-([\w+#.-]+)/.exec(code.className)?.[1];
  const result =
    named && hljs.getLanguage(named) ? hljs.highlight(text, { language: named, ignoreIllegals: true }) : hljs.highlightAuto(text);
  // highlight.js escapes the text it is given: its output holds only spans with hljs-* classes.
  code.innerHTML = result.value;
  code.classList.add("hljs");
}
