/**
 * The kustomizations use current fields only, and kustomize renders them
 * without a warning. The fields below were deprecated in kustomize v3–v5 in
 * favour of `resources`, `patches`, `labels` and `replacements`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KUBECTL } from "./rendered";

const DEPRECATED = ["bases", "patchesStrategicMerge", "patchesJson6902", "commonLabels", "vars", "imageTags"];

function kustomizations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? kustomizations(join(dir, e.name)) : e.name === "kustomization.yaml" ? [join(dir, e.name)] : [],
  );
}

describe("kustomizations", () => {
  const files = kustomizations("aks");

  it("use no deprecated field", () => {
    expect(files.sort()).toEqual([
      "aks/base/kustomization.yaml",
      "aks/components/vllm-tracing/kustomization.yaml",
      "aks/overlays/dev/kustomization.yaml",
      "aks/overlays/prod/kustomization.yaml",
    ]);
    for (const file of files) {
      const k = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      // Components (opt-in parts an overlay lists under `components`) have their own kind and version.
      const component = file.startsWith("aks/components/");
      expect(k.apiVersion, file).toBe(component ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1");
      expect(k.kind, file).toBe(component ? "Component" : "Kustomization");
      expect(
        Object.keys(k).filter((key) => DEPRECATED.includes(key)),
        file,
      ).toEqual([]);
    }
  });

  it.each(["aks/overlays/dev", "aks/overlays/prod"])("%s renders with a current kustomize and no warning", (dir) => {
    const version = spawnSync(KUBECTL, ["version", "--client", "-o", "json"], { encoding: "utf8" });
    const kustomize = (JSON.parse(version.stdout) as { kustomizeVersion?: string }).kustomizeVersion ?? "";
    expect(
      Number(/^v(\d+)/.exec(kustomize)?.[1]),
      `kubectl's kustomize is ${kustomize}: \`patches\` needs v4 or later (kubectl 1.21+)`,
    ).toBeGreaterThanOrEqual(4);
    const out = spawnSync(KUBECTL, ["kustomize", dir], { encoding: "utf8" });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stderr.trim()).toBe("");
  });
});
