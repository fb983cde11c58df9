/** A JPEG's dimensions in pixels. */
export interface JpegSize {
  width: number;
  height: number;
}

/** Start-of-frame markers (baseline, progressive, lossless …), which carry the size. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
/** Markers without a length field. */
const STANDALONE = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7]);
const START_OF_SCAN = 0xda;

/**
 * Reads a JPEG's size from its frame header, walking the marker segments
 * before the image data; null when `bytes` is not a JPEG or ends first.
 *
 * @example
 * ```ts
 * const size = jpegSize(await Deno.readFile("snapshot.jpg")); // { width: 1280, height: 720 }
 * ```
 */
export function jpegSize(bytes: Uint8Array): JpegSize | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const u16 = (at: number) => (bytes[at]! << 8) | bytes[at + 1]!;
  let i = 2;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) { // fill byte before a marker
      i++;
      continue;
    }
    if (STANDALONE.has(marker)) {
      i += 2;
      continue;
    }
    if (marker === START_OF_SCAN) return null;
    const length = u16(i + 2);
    if (length < 2) return null;
    if (SOF.has(marker)) {
      if (i + 8 >= bytes.length) return null;
      const size = { height: u16(i + 5), width: u16(i + 7) };
      return size.width > 0 && size.height > 0 ? size : null;
    }
    i += 2 + length;
  }
  return null;
}
