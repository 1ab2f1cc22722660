import { describe, expect, it } from "vitest";
import { goalRows, goalTable, type PathName, type PathRun } from "./concurrency-report";
import { pathFigures } from "./stream-stats";

const path = (name: PathName, cpuPerFrameUs: number): PathRun => ({
  path: name,
  ...pathFigures([{ firstMs: 5, arrivals: [0, 20, 40], ok: true }], 20),
  cpuPerFrameUs,
});

describe("goalRows", () => {
  it("sets the service's CPU per frame against the workerd pass-through's and Portkey's at N = 100", () => {
    const runs = [
      {
        n: 100,
        paths: [path("direct", Number.NaN), path("workerd pass-through", 40), path("Portkey 1.15", 200), path("service", 70)],
      },
    ];
    const rows = goalRows(runs, null, 20);
    const workerd = rows.find((r) => r.goal.includes("workerd pass-through"));
    const portkey = rows.find((r) => r.goal.includes("Portkey"));
    // 70 / 40 = 1.75× (over 1.5×); 70 / 200 = 0.35× (within 0.4×).
    expect(workerd).toMatchObject({ measured: "1.75× (70 / 40 µs)", verdict: "MISS" });
    expect(portkey).toMatchObject({ measured: "0.35× (70 / 200 µs)", verdict: "PASS" });
  });

  it("shows beside each goal what the DO relay alone read in the same run, and the quiet floor", () => {
    const stats = { n: 40, mean: 3.6, p50: 3.6, p90: 5, p99: 9.3, min: 2, max: 10 };
    const quiet = {
      added: stats,
      coldAdded: stats,
      warmAdded: stats,
      kbPerConversation: 500,
      messagesPerConversation: 40,
      floorAdded: stats,
    };
    const runs = [{ n: 100, paths: [path("direct", Number.NaN), path("workerd DO relay", 138), path("service", 124)] }];
    const rows = goalRows(runs, quiet, 20);
    expect(rows.find((r) => r.goal.includes("≤ 70 µs"))).toMatchObject({ measured: "124 µs", floor: "DO relay 138 µs", verdict: "MISS" });
    expect(rows.find((r) => r.goal.includes("first token added p50"))?.floor).toBe("DO relay 3.6 ms");
    expect(rows.find((r) => r.goal.includes("memory"))?.floor).toBeUndefined();
    expect(goalTable(rows)).toContain("| service CPU per frame ≤ 70 µs at N = 100 | 124 µs | DO relay 138 µs | MISS |");
  });

  it("leaves a ratio out when its path did not run", () => {
    const rows = goalRows([{ n: 100, paths: [path("direct", Number.NaN), path("service", 70)] }], null, 20);
    expect(rows.some((r) => r.goal.includes("Portkey") || r.goal.includes("workerd pass-through"))).toBe(false);
  });
});
