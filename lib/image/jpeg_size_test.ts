import { assertEquals } from "../testing/assert.ts";
import { testJpeg } from "../testing/commands.ts";
import { jpegSize } from "./jpeg_size.ts";

Deno.test("jpegSize() reads the frame header past the segments before it", () => {
  assertEquals(jpegSize(testJpeg()), { width: 64, height: 48 });
});

Deno.test("jpegSize() reads a progressive JPEG's frame header too", () => {
  const progressive = testJpeg();
  const sof = progressive.findIndex((b, i) => b === 0xff && progressive[i + 1] === 0xc0);
  progressive[sof + 1] = 0xc2;
  assertEquals(jpegSize(progressive), { width: 64, height: 48 });
});

Deno.test("jpegSize() is null for what is no JPEG or ends before its frame header", () => {
  const jpeg = testJpeg();
  const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
  assertEquals(jpegSize(new TextEncoder().encode("GIF89a, not a JPEG")), null);
  assertEquals(jpegSize(jpeg.slice(0, sof + 4)), null);
  assertEquals(jpegSize(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 8])), null, "scan before frame");
  assertEquals(jpegSize(new Uint8Array()), null);
});
