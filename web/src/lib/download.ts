/** Saves data the browser already holds as a file download. */
export function download(name: string, data: Blob | unknown): void {
  const blob = data instanceof Blob ? data : new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name made from free text. */
export function fileName(base: string, ext: string): string {
  return `${
    base
      .trim()
      .replace(/[^\w.-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "export"
  }.${ext}`;
}
