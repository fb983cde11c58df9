import { parseArgs } from "node:util";
import { listenAddressSchema } from "../lib/schemas/common.ts";

/** What `gateway-api` was asked to do. */
export type GatewayCommand =
  | { command: "serve"; listen: string | undefined }
  | { command: "reset-admin" }
  | { command: "help" }
  | { command: "version" };

export const GATEWAY_HELP =
  `gateway-api: the HALO control plane (identity, nodes, events, topology, API)

Usage:
  gateway-api [--listen HOST:PORT]   serve the API (default 0.0.0.0:8080)
  gateway-api reset-admin            set a new one-time password for user admin
  gateway-api --version | --help

Options:
  --listen HOST:PORT   address to listen on; also HALO_LISTEN or gateway.listen in config.yaml

Environment:
  HALO_ETC   configuration directory (default /etc/halo; reads config.yaml)
  HALO_VAR   state directory (default /var/lib/halo; holds halo.db and initial-admin)
  HALO_RUN   runtime directory (default /run/halo)
  HALO_LOG   log level: debug, info, warn, error (default info)
`;

/** Parses `gateway-api`'s arguments; throws a `TypeError` saying what is wrong and what to do. */
export function parseGatewayArgs(args: string[]): GatewayCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        listen: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (error) {
    throw new TypeError(`${(error as Error).message}\nRun gateway-api --help for usage.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  if (
    positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== "reset-admin")
  ) {
    throw new TypeError(
      `Unknown command "${
        positionals.join(" ")
      }": the only command is reset-admin.\nRun gateway-api --help for usage.`,
    );
  }
  if (positionals[0] === "reset-admin") {
    if (values.listen !== undefined) throw new TypeError("reset-admin takes no --listen");
    return { command: "reset-admin" };
  }
  if (values.listen !== undefined) {
    const ok = listenAddressSchema.safeParse(values.listen);
    if (!ok.success) {
      throw new TypeError(`Invalid --listen "${values.listen}": ${ok.error.issues[0]!.message}`);
    }
  }
  return { command: "serve", listen: values.listen };
}
