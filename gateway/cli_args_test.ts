import { assertEquals, assertThrows } from "../lib/testing/assert.ts";
import { parseGatewayArgs } from "./cli_args.ts";

Deno.test("parseGatewayArgs()", async (t) => {
  await t.step("serves by default and takes --listen", () => {
    assertEquals(parseGatewayArgs([]), { command: "serve", listen: undefined });
    assertEquals(parseGatewayArgs(["--listen", "[::1]:9000"]), {
      command: "serve",
      listen: "[::1]:9000",
    });
  });
  await t.step("knows --help, --version and reset-admin", () => {
    assertEquals(parseGatewayArgs(["--help"]).command, "help");
    assertEquals(parseGatewayArgs(["-V"]).command, "version");
    assertEquals(parseGatewayArgs(["reset-admin"]).command, "reset-admin");
  });
  await t.step("restore takes the backup file, and never a passphrase", () => {
    assertEquals(parseGatewayArgs(["restore", "halo-backup.tar.age"]), {
      command: "restore",
      file: "halo-backup.tar.age",
    });
    assertThrows(() => parseGatewayArgs(["restore"]), TypeError, "restore takes one argument");
    assertThrows(
      () => parseGatewayArgs(["restore", "a.tar.age", "my passphrase"]),
      TypeError,
      "the passphrase comes from the terminal, standard input or HALO_BACKUP_PASSPHRASE",
    );
    assertThrows(
      () => parseGatewayArgs(["restore", "a.tar.age", "--passphrase", "x"]),
      TypeError,
      "--passphrase",
    );
    assertThrows(
      () => parseGatewayArgs(["restore", "a.tar.age", "--listen", "0.0.0.0:1"]),
      TypeError,
      "restore takes no --listen",
    );
  });
  await t.step("refuses bad input with a message saying what to do", () => {
    assertThrows(
      () => parseGatewayArgs(["--listen", "8080"]),
      TypeError,
      'Invalid --listen "8080": expected HOST:PORT',
    );
    assertThrows(
      () => parseGatewayArgs(["--listen", "0.0.0.0:99999"]),
      TypeError,
      "port must be 0-65535",
    );
    assertThrows(() => parseGatewayArgs(["serve"]), TypeError, 'Unknown command "serve"');
    assertThrows(() => parseGatewayArgs(["--port", "1"]), TypeError, "gateway-api --help");
  });
});
