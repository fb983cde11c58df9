/**
 * The demo's stand-in for a Slack channel: a loopback HTTP server that takes
 * Slack-shaped webhook posts and prints their text.
 */

/** A running sink. */
export interface DemoSink extends AsyncDisposable {
  /** The URL flows post to. */
  url: string;
  /** Messages received so far. */
  messages: string[];
}

/** Starts the sink on a free loopback port; `print` gets one line per message. */
export function startDemoSink(print: (line: string) => void): DemoSink {
  const messages: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      if (request.method !== "POST") {
        return new Response("POST Slack-shaped JSON here\n", {
          status: 405,
        });
      }
      let text: string;
      try {
        const body = await request.json() as { text?: unknown };
        text = typeof body.text === "string" ? body.text : JSON.stringify(body);
      } catch {
        return new Response("expected JSON\n", { status: 400 });
      }
      messages.push(text);
      print(`webhook  ${text}`);
      return new Response("ok");
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/slack/demo`,
    messages,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
