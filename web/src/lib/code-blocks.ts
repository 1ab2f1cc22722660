/**
 * Code blocks in rendered messages: a bar with the language and a Copy
 * button, and syntax highlighting from highlight.js, loaded on first use
 * (most replies carry no code, so most visits never download it). The
 * highlighter escapes the code it is given and emits only spans with
 * classes, so its output is as safe as the sanitised text it replaces.
 */

type Highlighter = typeof import("./highlight");
let loading: Promise<Highlighter> | null = null;

function copyButton(code: HTMLElement): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "link code-copy";
  button.textContent = "Copy code";
  button.dataset.testid = "copy-code";
  button.addEventListener("click", () => {
    void navigator.clipboard.writeText((code.textContent ?? "").replace(/\n$/, "")).then(() => {
      button.textContent = "Copied";
      setTimeout(() => {
        button.textContent = "Copy code";
      }, 2000);
    });
  });
  return button;
}

/** Wraps each `pre > code` under `root` with its bar, then highlights them (once the highlighter has loaded). */
export function enhanceCode(root: HTMLElement, highlight = true): void {
  const blocks = [...root.querySelectorAll<HTMLElement>("pre > code")];
  if (blocks.length === 0) return;
  for (const code of blocks) {
    const pre = code.parentElement as HTMLElement;
    if (pre.parentElement?.classList.contains("code-block")) continue;
    const wrap = document.createElement("div");
    wrap.className = "code-block";
    const bar = document.createElement("div");
    bar.className = "code-bar";
    const label = document.createElement("span");
    label.className = "small muted";
    label.textContent = /language-([\w+#.-]+)/.exec(code.className)?.[1] ?? "code";
    bar.appendChild(label);
    bar.appendChild(copyButton(code));
    pre.parentNode?.replaceChild(wrap, pre);
    wrap.appendChild(bar);
    wrap.appendChild(pre);
    pre.tabIndex = 0;
    pre.setAttribute("aria-label", `${label.textContent} code`);
  }
  if (!highlight) return;
  loading ??= import("./highlight");
  void loading.then((h) => {
    for (const code of blocks) if (code.isConnected && !code.classList.contains("hljs")) h.highlightBlock(code);
  });
}
