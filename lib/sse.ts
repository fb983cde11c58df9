/** Reading Server-Sent Events (`text/event-stream`), as the gateway writes them. */

/** One Server-Sent Events message. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body into messages (comments and `retry:`
 * lines are skipped; multi-line `data:` is joined with newlines). With
 * `signal`, reading stops with an `AbortError` as soon as it aborts.
 */
export async function* parseSse(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  let buffer = "";
  let message: { id?: string; event?: string; data: string[] } = { data: [] };
  for await (const chunk of body.pipeThrough(new TextDecoderStream(), signal ? { signal } : {})) {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line === "") {
        if (message.data.length > 0) {
          yield {
            ...(message.id !== undefined ? { id: message.id } : {}),
            ...(message.event !== undefined ? { event: message.event } : {}),
            data: message.data.join("\n"),
          };
        }
        message = { data: [] };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") message.data.push(value);
      else if (field === "id") message.id = value;
      else if (field === "event") message.event = value;
    }
  }
}
