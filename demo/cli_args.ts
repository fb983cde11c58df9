import { parseArgs } from "node:util";
import { listenAddressSchema, splitListenAddress } from "../lib/schemas/common.ts";

/** What `deno task demo` was asked to do. */
export type DemoCommand =
  | { command: "run"; listen: string; dataDir: string | undefined }
  | { command: "help" }
  | { command: "version" };

/** The demo's default address: the gateway's usual port, on loopback only. */
export const DEFAULT_DEMO_LISTEN = "127.0.0.1:8080";

export const DEMO_HELP = `halo-demo: a HALO gateway with six simulated nodes, on this machine only

Starts the gateway, enrolls the gateway itself, a relay and four leaves over
the real API, and keeps them reporting and sending telemetry every 10 s (on a
fresh data directory, 3 days of history are back-filled first); one leaf
drops off now and then so offline, online and rebooted events happen. Ctrl-C
stops everything.

Usage:
  deno task demo [--listen HOST:PORT] [--data-dir DIR]
  deno task demo --version | --help

Options:
  --listen HOST:PORT   loopback address for the gateway (default ${DEFAULT_DEMO_LISTEN});
                       port 0 picks a free one
  --data-dir DIR       where the gateway keeps its database (default .halo-demo in the
                       repository); an earlier run's data is reused
  -h, --help           show this help
  -V, --version        show the version
`;

/** Whether `host` is a loopback name or address; the demo never listens elsewhere. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Parses the demo's arguments; throws a `TypeError` saying what is wrong and what to do. */
export function parseDemoArgs(args: string[]): DemoCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: "string" },
        "data-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    }));
  } catch (error) {
    throw new TypeError(`${(error as Error).message}\nRun deno task demo --help for usage.`);
  }
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const listen = values.listen ?? DEFAULT_DEMO_LISTEN;
  const ok = listenAddressSchema.safeParse(listen);
  if (!ok.success) {
    throw new TypeError(`Invalid --listen "${listen}": ${ok.error.issues[0]!.message}`);
  }
  const { hostname } = splitListenAddress(listen);
  if (!isLoopbackHost(hostname)) {
    throw new TypeError(
      `Invalid --listen "${listen}": the demo listens on loopback only (127.0.0.1, ::1 or localhost)`,
    );
  }
  const dataDir = values["data-dir"];
  if (dataDir !== undefined && dataDir.trim() === "") {
    throw new TypeError("Invalid --data-dir: give a directory");
  }
  return { command: "run", listen, dataDir };
}
