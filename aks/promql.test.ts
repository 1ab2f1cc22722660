import { describe, expect, it } from "vitest";
import { vectorSelectors } from "./promql";

describe("vectorSelectors", () => {
  it("reads the metric and its matchers, and skips aggregations", () => {
    expect(vectorSelectors('sum(vllm:num_requests_waiting{namespace="chat-llm",model_name="m"})')).toEqual([
      {
        name: "vllm:num_requests_waiting",
        matchers: [
          { label: "namespace", op: "=", value: "chat-llm" },
          { label: "model_name", op: "=", value: "m" },
        ],
      },
    ]);
  });

  it("skips functions, by-labels, durations, numbers and strings", () => {
    const q =
      'histogram_quantile(0.99, sum by (le, pool) (rate(gateway_time_to_first_token_seconds_bucket{pool!~"x|y"}[5m]))) > bool 2 or label_replace(up, "a", "$1", "b", "(.*)")';
    expect(vectorSelectors(q).map((s) => s.name)).toEqual(["gateway_time_to_first_token_seconds_bucket", "up"]);
    expect(vectorSelectors(q)[0].matchers).toEqual([{ label: "pool", op: "!~", value: "x|y" }]);
  });

  it("reads bare selectors and __name__", () => {
    expect(vectorSelectors("a + b offset 5m")).toEqual([
      { name: "a", matchers: [] },
      { name: "b", matchers: [] },
    ]);
    expect(vectorSelectors('{__name__="c", job="j"}')).toEqual([{ name: "c", matchers: [{ label: "job", op: "=", value: "j" }] }]);
  });

  it("refuses matchers it cannot read instead of guessing", () => {
    expect(() => vectorSelectors("sum(a{namespace=chat})")).toThrow(/label matchers/);
    expect(() => vectorSelectors('a{x="1" y="2"}')).toThrow(/expected/);
  });
});
