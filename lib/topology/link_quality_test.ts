import { assertEquals } from "../testing/assert.ts";
import { linkQuality } from "./link_quality.ts";

Deno.test("linkQuality() falls back from TQ to signal to a neutral 0.5", () => {
  assertEquals(linkQuality({ tq: 255, signal_dbm: -90 }), 1);
  assertEquals(linkQuality({ tq: null, signal_dbm: -75 }), 0.5);
  assertEquals(linkQuality({ tq: null, signal_dbm: -40 }), 1);
  assertEquals(linkQuality({ tq: null, signal_dbm: -120 }), 0);
  assertEquals(linkQuality({ tq: null, signal_dbm: null }), 0.5);
});
