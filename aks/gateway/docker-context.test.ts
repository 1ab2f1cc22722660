/**
 * The gateway image builds from the repository root with a narrow context
 * (Dockerfile.dockerignore) and copies only some folders into its build
 * stage. There is no Docker engine here, so this checks what would break the
 * build: every source file the gateway's bundle reads must pass the ignore
 * file (last matching pattern wins, as in BuildKit) and lie under a COPY.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const DIR = "aks/gateway";

/** A .dockerignore pattern as a regular expression over context-relative paths. */
function patternToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A pattern that names a folder covers everything in it.
  return new RegExp(`^${re}(?:/.*)?$`);
}

function isInContext(path: string, ignoreFile: string): boolean {
  let included = true;
  for (const raw of ignoreFile.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (patternToRegExp((negate ? line.slice(1) : line).replace(/^\//, "")).test(path)) included = negate;
  }
  return included;
}

/** The sources of the COPY lines of the build stage (before the second FROM). */
function copiedSources(dockerfile: string): string[] {
  const buildStage = dockerfile.split(/^FROM /m)[1] ?? "";
  return [...buildStage.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/).slice(0, -1));
}

describe("the gateway's Docker build context", () => {
  const ignore = readFileSync(`${DIR}/Dockerfile.dockerignore`, "utf8");

  it("reads the ignore file as BuildKit does", () => {
    expect(isInContext("aks/gateway/proxy.ts", ignore)).toBe(true);
    expect(isInContext("worker/shared/sse.ts", ignore)).toBe(true);
    expect(isInContext("aks/gateway/proxy.test.ts", ignore)).toBe(false);
    expect(isInContext("worker/shared/sse.test.ts", ignore)).toBe(false);
    expect(isInContext("worker/app.ts", ignore)).toBe(false);
    expect(isInContext("dev/dev-llm.ts", ignore)).toBe(false);
  });

  it("holds and copies every source file the gateway's bundle reads", async () => {
    const result = await build({
      entryPoints: [`${DIR}/main.ts`],
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => relative(".", p));
    expect(inputs.some((p) => p.startsWith("worker/shared/"))).toBe(true);
    const copied = copiedSources(readFileSync(`${DIR}/Dockerfile`, "utf8"));
    for (const path of inputs) {
      expect(isInContext(path, ignore), `${path} is left out of the build context`).toBe(true);
      expect(
        copied.some((source) => path === source || path.startsWith(`${source}/`)),
        `${path} is not copied into the build stage`,
      ).toBe(true);
    }
  });
});
