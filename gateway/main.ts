/**
 * gateway-api: wires configuration, the database and the HTTP API together.
 * The parts live in gateway/api, gateway/nodes, gateway/store and friends.
 */
import { versionLine } from "../lib/build_info.ts";
import { ConfigError } from "../lib/config/config_error.ts";
import { loadNodeConfig } from "../lib/config/node_config.ts";
import { denoFileSystem } from "../lib/fs.ts";
import { createLogger, type LogLevel, parseLogLevel } from "../lib/log.ts";
import { resolvePaths } from "../lib/paths.ts";
import { GATEWAY_HELP, parseGatewayArgs } from "./cli_args.ts";
import { BackupError } from "./backup/errors.ts";
import { readPassphrase } from "./backup/passphrase.ts";
import { restoreBackup } from "./backup/restore.ts";
import { restoreReport } from "./backup/restore_report.ts";
import { setOneTimeAdmin } from "./bootstrap/initial_admin.ts";
import { MigrationError } from "../lib/db/migrate.ts";
import { openGatewayDatabase, startGateway } from "./start.ts";

async function main(args: string[]): Promise<number> {
  const cmd = parseGatewayArgs(args);
  if (cmd.command === "help") return (console.log(GATEWAY_HELP), 0);
  if (cmd.command === "version") return (console.log(versionLine("gateway-api")), 0);

  const paths = resolvePaths();
  if (cmd.command === "restore") {
    const passphrase = await readPassphrase();
    const report = await restoreBackup({ file: cmd.file, varDir: paths.varLib, passphrase });
    return (console.log(restoreReport(report, paths.varLib)), 0);
  }
  const config = await loadNodeConfig(`${paths.etc}/config.yaml`, { role: "gateway" });
  const envLevel = Deno.env.get("HALO_LOG");
  const level: LogLevel = envLevel ? parseLogLevel(envLevel) : config.log_level ?? "info";
  const log = createLogger({ component: "gateway-api", level });

  if (cmd.command === "reset-admin") {
    const { db } = await openGatewayDatabase(paths.varLib, log);
    try {
      const password = await setOneTimeAdmin(
        { db, fs: denoFileSystem, log, varDir: paths.varLib, now: Date.now },
        "gateway-api reset-admin",
      );
      console.log(
        `New one-time password for user admin: ${password}\n` +
          `(also in ${paths.varLib}/initial-admin; you will be asked to change it at login)`,
      );
    } finally {
      db.close();
    }
    return 0;
  }

  const listen = cmd.listen ?? Deno.env.get("HALO_LISTEN") ?? config.gateway?.listen ??
    "0.0.0.0:8080";
  const gateway = await startGateway({ varDir: paths.varLib, listen, log });
  const stop = new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, resolve);
  });
  await stop;
  log.info("shutting down");
  await gateway.close();
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    // Expected failures print one clear line; anything else keeps its stack for the journal.
    const known = error instanceof TypeError || error instanceof ConfigError ||
      error instanceof MigrationError || error instanceof BackupError;
    console.error(
      `gateway-api: error: ${known ? (error as Error).message : (error as Error).stack}`,
    );
    Deno.exit(known ? 2 : 1);
  }
}
