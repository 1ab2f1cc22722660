/**
 * Build outputs replaced file by file with a rename, so a server already
 * reading them (a test's workerd while `npm start` rebuilds, a second
 * `npm start`) never sees a missing or half-written file.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** Writes one file atomically: a sibling temporary file, then a rename over the old one. */
export function writeAtomically(path: string, contents: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** Moves every file of `from` into `to` (each by rename), removes what `to` held that `from` did not, then `from`. */
export function publishDirectory(from: string, to: string): void {
  const fresh = filesUnder(from);
  for (const file of fresh) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    renameSync(join(from, file), join(to, file));
  }
  const kept = new Set(fresh);
  for (const file of filesUnder(to)) if (!kept.has(file)) rmSync(join(to, file), { force: true });
  rmSync(from, { recursive: true, force: true });
}
