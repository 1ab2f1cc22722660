import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics";

describe("createMetrics", () => {
  it("renders counters with labels and gauges in the Prometheus text format", () => {
    const m = createMetrics();
    m.inc("gateway_requests_total", { pool: "big", model: 'a"b', outcome: "complete" });
    m.inc("gateway_requests_total", { outcome: "complete", model: 'a"b', pool: "big" });
    m.add("gateway_streams_in_flight", 1);
    const text = m.render();
    expect(text).toContain("# TYPE gateway_requests_total counter");
    expect(text).toContain('gateway_requests_total{model="a\\"b",outcome="complete",pool="big"} 2');
    expect(text).toContain("gateway_streams_in_flight 1");
  });
});
