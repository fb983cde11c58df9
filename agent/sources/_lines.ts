/**
 * Splits a byte stream into text lines (`\n` or `\r\n`), for gpsd's JSON and
 * a receiver's NMEA. A line longer than the limit is dropped whole and
 * counted, so a stream without newlines cannot grow memory.
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder();
  readonly #maxChars: number;
  #pending = "";
  #overlong = false;
  /** Lines dropped for being longer than the limit. */
  overflows = 0;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  /** The complete lines `chunk` finishes, without their line ends. */
  push(chunk: Uint8Array): string[] {
    const parts = (this.#pending + this.#decoder.decode(chunk, { stream: true })).split("\n");
    this.#pending = parts.pop()!;
    const lines: string[] = [];
    for (const part of parts) {
      if (this.#overlong || part.length > this.#maxChars) {
        this.#overlong = false;
        this.overflows++;
        continue;
      }
      lines.push(part.endsWith("\r") ? part.slice(0, -1) : part);
    }
    if (this.#pending.length > this.#maxChars) {
      // Keep nothing of it: the rest of this line is dropped when its newline comes.
      this.#overlong = true;
      this.#pending = "";
    }
    return lines;
  }

  /** Forgets a partial line (a new connection starts clean). */
  reset(): void {
    this.#decoder.decode();
    this.#pending = "";
    this.#overlong = false;
  }
}
