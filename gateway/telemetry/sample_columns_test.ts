import { assertEquals } from "../../lib/testing/assert.ts";
import { SampleColumns } from "./sample_columns.ts";

Deno.test("SampleColumns keeps every pushed sample in order as it grows", () => {
  const columns = new SampleColumns(2);
  assertEquals(columns.length, 0);
  for (let i = 0; i < 5; i++) columns.push(10 + i, 1_700_000_000_000 + i, i / 10);
  assertEquals(columns.length, 5);
  assertEquals([...columns.seriesIds], [10, 11, 12, 13, 14]);
  assertEquals([...columns.ts], [0, 1, 2, 3, 4].map((i) => 1_700_000_000_000 + i));
  assertEquals([...columns.values], [0, 0.1, 0.2, 0.3, 0.4]);
});
