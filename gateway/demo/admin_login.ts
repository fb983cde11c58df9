import { relative } from "node:path";
import { z } from "zod";
import { GatewayApiError, type GatewayClient } from "../../lib/api_client.ts";

/** What the gateway writes to `$HALO_VAR/initial-admin` on first start. */
const initialAdminSchema = z.object({ username: z.string(), password: z.string() });

/** The admin login the demo used. */
export interface AdminLogin {
  username: string;
  password: string;
}

/** How to give the admin a new one-time password for the data in `dataDir`. */
export function resetAdminHint(dataDir: string, cwd = Deno.cwd()): string {
  const rel = relative(cwd, dataDir);
  const shown = rel !== "" && !rel.startsWith("..") ? rel : dataDir;
  return `HALO_VAR=${shown} deno task gateway reset-admin`;
}

/**
 * Logs `client` in as the admin with the one-time password the gateway wrote
 * to `<dataDir>/initial-admin`.
 *
 * @throws {Error} saying how to reset the password when the file is gone or
 *   the password was changed since (as the portal asks at first login).
 */
export async function loginWithInitialAdmin(
  client: GatewayClient,
  dataDir: string,
): Promise<AdminLogin> {
  const file = `${dataDir}/initial-admin`;
  let login: AdminLogin;
  try {
    login = initialAdminSchema.parse(JSON.parse(await Deno.readTextFile(file)));
  } catch (error) {
    throw new Error(
      `Cannot read the admin login from ${file} (${(error as Error).message}). ` +
        `Set a new one-time admin password with:\n  ${resetAdminHint(dataDir)}\n` +
        `and start the demo again.`,
      { cause: error },
    );
  }
  try {
    await client.login(login.username, login.password);
  } catch (error) {
    if (error instanceof GatewayApiError && error.status === 401) {
      throw new Error(
        `The admin password in ${file} no longer works: it was changed after the gateway ` +
          `wrote it. The demo needs the admin to set up its nodes. Set a new one-time ` +
          `password with:\n  ${resetAdminHint(dataDir)}\nand start the demo again.`,
        { cause: error },
      );
    }
    throw error;
  }
  return login;
}
