import { assertEquals } from "../../lib/testing/assert.ts";
import { formatValue, rangeBounds, resolutionFor, toChartData } from "./chart_data.ts";

Deno.test("resolutionFor() asks for raw up to 6 h, 1-minute rollups up to 7 d, else hourly", () => {
  const hour = 3_600_000;
  assertEquals(resolutionFor(hour), "raw");
  assertEquals(resolutionFor(6 * hour), "raw");
  assertEquals(resolutionFor(24 * hour), "1m");
  assertEquals(resolutionFor(7 * 24 * hour), "1m");
  assertEquals(resolutionFor(30 * 24 * hour), "1h");
});

Deno.test("rangeBounds() ends a preset at now and keeps a zoom's ends", () => {
  assertEquals(rangeBounds({ kind: "preset", id: "6h" }, 10 * 3_600_000), {
    from: 4 * 3_600_000,
    to: 10 * 3_600_000,
  });
  assertEquals(rangeBounds({ kind: "fixed", from: 5, to: 9 }, 100), { from: 5, to: 9 });
});

Deno.test("toChartData() aligns series on one time axis with gaps, and keeps rollup bands", async (t) => {
  const series = (node: string, points: unknown[]) => ({
    node_id: node,
    node_name: node.replace("n-", "leaf-"),
    metric: "cpu.usage",
    labels: {},
    unit: "%",
    points: points as { ts: number; value: number }[],
  });
  await t.step("raw samples of two nodes at different times", () => {
    const d = toChartData({
      resolution: "raw",
      from: 0,
      to: 5000,
      series: [
        series("n-a", [{ ts: 1000, value: 1 }, { ts: 3000, value: 3 }]),
        series("n-b", [{ ts: 2000, value: 20 }]),
      ],
    });
    assertEquals(d.xs, [1, 2, 3]);
    assertEquals(d.series.map((s) => [s.label, s.values, s.min]), [
      ["leaf-a · cpu.usage", [1, null, 3], null],
      ["leaf-b · cpu.usage", [null, 20, null], null],
    ]);
  });
  await t.step("rollups of one node: avg line with min and max", () => {
    const d = toChartData({
      resolution: "1m",
      from: 0,
      to: 120_000,
      series: [series("n-a", [{ ts: 60_000, min: 1, max: 5, avg: 2.5, count: 6 }])],
    });
    assertEquals(d.series[0], {
      label: "cpu.usage",
      unit: "%",
      values: [2.5],
      min: [1],
      max: [5],
    });
  });
});

Deno.test("formatValue() shows stored precision with the unit", () => {
  assertEquals(formatValue(42.1, "%"), "42.1 %");
  assertEquals(formatValue(16.07, "%"), "16.07 %");
  assertEquals(formatValue(997.34, "hPa"), "997.3 hPa");
  assertEquals(formatValue(128, "count"), "128");
  assertEquals(formatValue(null, "%"), "—");
});
