/**
 * In-process gateway for API tests: a real SQLite file in a temp directory,
 * the real app, a fake clock, and helpers to act as each role.
 */
import { createLogger } from "../../lib/log.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { FakeCommandRunner } from "../../lib/testing/fake_command.ts";
import type { CommandType } from "../../lib/schemas/commands.ts";
import type { UserRole } from "../../lib/schemas/common.ts";
import { createApp } from "../app.ts";
import { createRequestHandler, type RequestHandler } from "../http_handler.ts";
import { createGatewayDeps, type GatewayDeps } from "../deps.ts";
import { hashPassword } from "../auth/password.ts";
import { generateSecret, hashSecret, secretPrefix } from "../auth/secret_token.ts";
import { openGatewayDatabase } from "../start.ts";
import { ApiTokenStore } from "../store/api_tokens.ts";
import { JoinTokenStore } from "../store/join_tokens.ts";
import { UserStore } from "../store/users.ts";
import type { ClockStatus } from "../system/clock_status.ts";
import { systemClockSetter } from "../system/set_clock.ts";

export interface Harness extends AsyncDisposable {
  deps: GatewayDeps;
  clock: FakeClock;
  app: ReturnType<typeof createApp>;
  /** The handler Deno.serve calls in the real gateway: the app behind the telemetry fast path. */
  handler: RequestHandler;
  dir: string;
  logs: string[];
  /** Free and total bytes the telemetry store sees; change to simulate a full disk. */
  disk: { free: number; total: number };
  /** What the gateway's clock probe answers; change it to simulate a gateway without NTP. */
  clockStatus: ClockStatus;
  /**
   * The timedatectl the gateway sets its clock with: it records each call and
   * succeeds; `set-time` fails with `timedatectlFailure` when that is set.
   */
  timedatectl: FakeCommandRunner;
  timedatectlFailure: string | null;
  /** Calls the gateway's handler as `token` (or anonymously) from loopback. */
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /** A bearer API token with `role`. */
  tokenFor(role: UserRole): Promise<string>;
  /** A live join token's secret. */
  joinToken(maxUses?: number): Promise<string>;
  /** Creates a user with a known password. */
  user(username: string, role: UserRole, password?: string): Promise<void>;
}

/** Options of {@linkcode createHarness}. */
export interface HarnessOptions {
  /** The command types nodes are sent. @default COMMAND_TYPES */
  commandTypes?: readonly CommandType[];
}

/** Starts an in-process gateway; dispose it with `await using`. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await Deno.makeTempDir({ prefix: "halo-test-" });
  const logs: string[] = [];
  const log = createLogger({
    component: "gateway-api",
    level: "debug",
    write: (l) => logs.push(l),
  });
  const clock = new FakeClock();
  // Free space the store sees; tests change it to simulate a full card.
  const disk = { free: 50e9, total: 100e9 };
  const { db, path } = await openGatewayDatabase(dir, log, clock);
  const shutdown = new AbortController();
  const state = {
    clockStatus: { synchronized: true, source: "test" } as ClockStatus,
    timedatectlFailure: null as string | null,
  };
  const timedatectl = new FakeCommandRunner((_program, args) =>
    state.timedatectlFailure !== null && args[0] === "set-time"
      ? { code: 1, stdout: "", stderr: state.timedatectlFailure }
      : { code: 0, stdout: args[0] === "show" ? "no\n" : "", stderr: "" }
  );
  const deps = createGatewayDeps({
    db,
    dbPath: path,
    varDir: dir,
    clock,
    log,
    build: { version: "test", commit: "0123456789ab", builtAt: null },
    clockStatus: () => Promise.resolve(state.clockStatus),
    setSystemClock: systemClockSetter(timedatectl),
    shutdown: shutdown.signal,
    diskSpace: () => Promise.resolve(disk),
    commitDelayMs: 5,
    ...(options.commandTypes ? { commandTypes: options.commandTypes } : {}),
  });
  const app = createApp(deps);
  const handler = await createRequestHandler(deps, app);
  const tokens = new Map<UserRole, string>();

  return {
    deps,
    clock,
    app,
    handler,
    dir,
    logs,
    disk,
    get clockStatus() {
      return state.clockStatus;
    },
    set clockStatus(status) {
      state.clockStatus = status;
    },
    timedatectl,
    get timedatectlFailure() {
      return state.timedatectlFailure;
    },
    set timedatectlFailure(message) {
      state.timedatectlFailure = message;
    },
    request(path, init = {}) {
      const { token, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set("authorization", `Bearer ${token}`);
      let body = rest.body ?? null;
      if (json !== undefined) {
        body = JSON.stringify(json);
        headers.set("content-type", "application/json");
        // As an HTTP client sends it (a Request made here has none of its own).
        headers.set("content-length", String(new TextEncoder().encode(body).length));
      }
      const request = new Request(new URL(path, "http://localhost"), { ...rest, headers, body });
      return Promise.resolve(handler(request, { remoteAddr: { hostname: "127.0.0.1" } }));
    },
    tokenFor(role) {
      const existing = tokens.get(role);
      if (existing) return Promise.resolve(existing);
      const secret = generateSecret("api");
      new ApiTokenStore(db).create({
        name: `test-${role}`,
        role,
        hash: hashSecret(secret),
        prefix: secretPrefix(secret),
        createdBy: "test",
      }, clock.now());
      tokens.set(role, secret);
      return Promise.resolve(secret);
    },
    joinToken(maxUses = 10) {
      const secret = generateSecret("join");
      new JoinTokenStore(db).create({
        name: "test-batch",
        hash: hashSecret(secret),
        prefix: secretPrefix(secret),
        createdBy: "test",
        expiresAt: clock.now() + 3600_000,
        maxUses,
      }, clock.now());
      return Promise.resolve(secret);
    },
    async user(username, role, password = "correct horse battery") {
      new UserStore(db).create(
        { username, role, passwordHash: await hashPassword(password), mustChange: false },
        clock.now(),
      );
    },
    async [Symbol.asyncDispose]() {
      shutdown.abort();
      deps.telemetry.flush();
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
