import { parseArgs } from "node:util";
import { listenAddressSchema } from "../lib/schemas/common.ts";

/** What `gateway-api` was asked to do. */
export type GatewayCommand =
  | { command: "serve"; listen: string | undefined }
  | { command: "reset-admin" }
  | { command: "restore"; file: string }
  | { command: "help" }
  | { command: "version" };

export const GATEWAY_HELP =
  `gateway-api: the HALO control plane (identity, nodes, events, topology, API)

Usage:
  gateway-api [--listen HOST:PORT]   serve the API (default 0.0.0.0:8080)
  gateway-api reset-admin            set a new one-time password for user admin
  gateway-api restore FILE           restore a backup (halo-backup-….tar.age) into HALO_VAR;
                                     stop the gateway first
  gateway-api --version | --help

Options:
  --listen HOST:PORT   address to listen on; also HALO_LISTEN or gateway.listen in config.yaml

Environment:
  HALO_ETC   configuration directory (default /etc/halo; reads config.yaml)
  HALO_VAR   state directory (default /var/lib/halo; holds halo.db and initial-admin)
  HALO_RUN   runtime directory (default /run/halo)
  HALO_LOG   log level: debug, info, warn, error (default info)
  HALO_BACKUP_PASSPHRASE   restore's passphrase; without it restore asks on the terminal
                           or reads the first line of standard input
`;

const COMMANDS = ["reset-admin", "restore"];

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
  const [command, ...rest] = positionals;
  if (command !== undefined && !COMMANDS.includes(command)) {
    throw new TypeError(
      `Unknown command "${positionals.join(" ")}": the commands are ${
        COMMANDS.join(" and ")
      }.\nRun gateway-api --help for usage.`,
    );
  }
  if (command !== undefined && values.listen !== undefined) {
    throw new TypeError(`${command} takes no --listen`);
  }
  if (command === "reset-admin") {
    if (rest.length > 0) {
      throw new TypeError(`reset-admin takes no arguments, got "${rest.join(" ")}"`);
    }
    return { command: "reset-admin" };
  }
  if (command === "restore") {
    if (rest.length !== 1 || rest[0] === "") {
      throw new TypeError(
        "restore takes one argument, the backup file: gateway-api restore halo-backup-….tar.age " +
          "(the passphrase comes from the terminal, standard input or HALO_BACKUP_PASSPHRASE)",
      );
    }
    return { command: "restore", file: rest[0]! };
  }
  if (values.listen !== undefined) {
    const ok = listenAddressSchema.safeParse(values.listen);
    if (!ok.success) {
      throw new TypeError(`Invalid --listen "${values.listen}": ${ok.error.issues[0]!.message}`);
    }
  }
  return { command: "serve", listen: values.listen };
}
