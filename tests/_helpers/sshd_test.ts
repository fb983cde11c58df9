import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertRejects,
} from "../../lib/testing/assert.ts";
import { ignoreWithoutSshd, startSshd } from "./sshd.ts";

/** The home directory the passwd database gives `user`. */
async function homeOf(user: string): Promise<string> {
  const output = await new Deno.Command("getent", { args: ["passwd", user] }).output();
  const home = new TextDecoder().decode(output.stdout).trim().split(":")[5];
  assert(home, `getent passwd ${user} gave no home directory`);
  return home;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test({
  name: "startSshd() runs commands over a real SSH connection",
  ignore: await ignoreWithoutSshd(),
  async fn(t) {
    await using sshd = await startSshd();

    await t.step("listens on loopback with a known_hosts line for its port", async () => {
      assertEquals(sshd.host, "127.0.0.1");
      assertMatch(sshd.hostPublicKey, /^ssh-ed25519 [A-Za-z0-9+/=]+$/);
      assertEquals(
        await Deno.readTextFile(sshd.knownHostsPath),
        `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`,
      );
    });

    await t.step("echo hello prints hello and exits 0", async () => {
      assertEquals(await sshd.run("echo hello"), { code: 0, stdout: "hello\n", stderr: "" });
    });

    await t.step("the command runs as the login user in their home", async () => {
      const result = await sshd.run(`printf '%s' "$HOME"`);
      assertEquals(result, { code: 0, stdout: await homeOf(sshd.user), stderr: "" });
      assertEquals((await sshd.run("id -un")).stdout.trim(), sshd.user);
    });

    await t.step("the remote exit code and stderr come back", async () => {
      assertEquals(await sshd.run("exit 3"), { code: 3, stdout: "", stderr: "" });
      assertEquals(await sshd.run("echo oops >&2; exit 1"), {
        code: 1,
        stdout: "",
        stderr: "oops\n",
      });
    });

    await t.step("a wrong host key in known_hosts stops ssh before the command", async () => {
      const dir = await Deno.makeTempDir({ prefix: "halo-sshd-test-" });
      try {
        const impostor = `${dir}/impostor`;
        const keygen = await new Deno.Command("ssh-keygen", {
          args: ["-q", "-t", "ed25519", "-N", "", "-f", impostor],
        }).output();
        assertEquals(keygen.code, 0);
        const impostorKey = (await Deno.readTextFile(`${impostor}.pub`)).split(" ").slice(0, 2)
          .join(" ");
        assertNotEquals(impostorKey, sshd.hostPublicKey);
        const wrongKnownHosts = `${dir}/known_hosts`;
        await Deno.writeTextFile(wrongKnownHosts, `[127.0.0.1]:${sshd.port} ${impostorKey}\n`);
        const marker = `${dir}/ran`;

        const result = await sshd.run(`touch ${marker}`, { knownHostsPath: wrongKnownHosts });

        assertEquals(result.code, 255, result.stderr);
        assertMatch(result.stderr, /Host key verification failed/);
        assert(!await exists(marker), "the command ran despite the wrong host key");
        assertEquals((await sshd.run(`touch ${marker}`)).code, 0, "the right key still works");
        assert(await exists(marker));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });

    await t.step("an unknown host is refused, not added", async () => {
      const dir = await Deno.makeTempDir({ prefix: "halo-sshd-test-" });
      try {
        const empty = `${dir}/known_hosts`;
        await Deno.writeTextFile(empty, "");
        const result = await sshd.run("true", { knownHostsPath: empty });
        assertEquals(result.code, 255, result.stderr);
        assertMatch(result.stderr, /Host key verification failed/);
        assertEquals(await Deno.readTextFile(empty), "");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });

    await t.step("run() gives up after its guard timeout", async () => {
      await assertRejects(
        () => sshd.run("sleep 3", { timeoutMs: 300 }),
        Error,
        "did not finish within 300 ms",
      );
    });

    await t.step("sshd logs the logins", () => {
      assertMatch(sshd.log, new RegExp(`Accepted publickey for ${sshd.user} from 127\\.0\\.0\\.1`));
    });
  },
});

Deno.test({
  name: "startSshd() servers run side by side and stop when disposed",
  ignore: await ignoreWithoutSshd(),
  async fn() {
    const [a, b] = await Promise.all([startSshd(), startSshd()]);
    assertNotEquals(a.port, b.port);
    assertNotEquals(a.hostPublicKey, b.hostPublicKey);
    const results = await Promise.all([a.run("echo a"), b.run("echo b")]);
    assertEquals(results.map((r) => r.stdout), ["a\n", "b\n"]);
    // One server's client key and known_hosts do not fit the other.
    assertEquals((await a.run("true", { knownHostsPath: b.knownHostsPath })).code, 255);

    await a[Symbol.asyncDispose]();
    await b.close();
    await b.close(); // idempotent
    assert(!await exists(a.clientKeyPath), "the temporary directory is removed");
    await assertRejects(() => Deno.connect({ hostname: "127.0.0.1", port: a.port }));
  },
});
