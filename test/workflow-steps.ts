/**
 * Reads the GitHub Actions workflows and runs a step's script here the way a
 * runner would (`bash --noprofile --norc -eo pipefail`, a GITHUB_OUTPUT file),
 * with the environment the test supplies in place of `${{ … }}` expressions.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface Job {
  needs?: string | string[];
  uses?: string;
  "runs-on"?: string;
  environment?: string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  services?: Record<string, { image: string }>;
  steps?: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

export const loadWorkflow = (path: string): Workflow => parse(readFileSync(path, "utf8")) as Workflow;

export function step(workflow: Workflow, job: string, id: string): Step {
  const found = workflow.jobs[job]?.steps?.find((s) => s.id === id);
  if (!found?.run) throw new Error(`no run step ${job}.${id}`);
  return found;
}

export interface StepResult {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

/**
 * Runs a step's script. `env` must give a value for every variable the step
 * and its workflow declare (those hold `${{ … }}` expressions a runner fills);
 * a missing one throws, so a new input cannot slip past the test.
 */
export function runStep(workflow: Workflow, s: Step, env: Record<string, string>, cwd: string): StepResult {
  const declared = [...Object.keys(workflow.env ?? {}), ...Object.keys(s.env ?? {})];
  const missing = declared.filter((k) => !(k in env));
  if (missing.length) throw new Error(`step ${s.id} needs ${missing.join(", ")}`);
  const dir = mkdtempSync(join(tmpdir(), "step-"));
  const outputFile = join(dir, "output");
  writeFileSync(outputFile, "");
  try {
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", s.run!], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, GITHUB_OUTPUT: outputFile },
      encoding: "utf8",
      timeout: 120_000,
    });
    const outputs = Object.fromEntries(
      readFileSync(outputFile, "utf8")
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
