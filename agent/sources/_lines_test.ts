import { assertEquals } from "../../lib/testing/assert.ts";
import { LineSplitter } from "./_lines.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("LineSplitter joins lines across chunks and strips CRLF", () => {
  const lines = new LineSplitter(100);
  assertEquals(lines.push(bytes("$GPGGA,1*00\r\n$GPR")), ["$GPGGA,1*00"]);
  assertEquals(lines.push(bytes("MC,2*00\r")), []);
  assertEquals(lines.push(bytes("\n\n")), ["$GPRMC,2*00", ""]);
});

Deno.test("LineSplitter keeps a UTF-8 character split across chunks whole", () => {
  const lines = new LineSplitter(100);
  const text = bytes('{"release":"3.25 °"}\n');
  const cut = text.indexOf(0xb0);
  assertEquals([...lines.push(text.subarray(0, cut)), ...lines.push(text.subarray(cut))], [
    '{"release":"3.25 °"}',
  ]);
});

Deno.test("LineSplitter drops an over-long line whole, counts it, and reads the next", () => {
  const lines = new LineSplitter(10);
  assertEquals(lines.push(bytes("0123456789ABCDEF")), []);
  assertEquals(lines.push(bytes("GHIJKLMNOPQRSTUV")), []);
  assertEquals(lines.push(bytes("WXYZ\nshort\n")), ["short"]);
  assertEquals(lines.overflows, 1);
  assertEquals(lines.push(bytes("0123456789X\nok\n")), ["ok"]);
  assertEquals(lines.overflows, 2);
});
