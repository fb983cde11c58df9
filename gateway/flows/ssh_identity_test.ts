import { assert, assertEquals, assertMatch, assertRejects } from "../../lib/testing/assert.ts";
import { type CommandRunner, denoCommandRunner } from "../../lib/command.ts";
import { ManagedSshIdentity } from "./ssh_identity.ts";

/** The real runner, counting ssh-keygen runs. */
function counting(): CommandRunner & { runs: number } {
  const runner = {
    runs: 0,
    run: (program: string, args: string[], options?: Parameters<CommandRunner["run"]>[2]) => {
      runner.runs++;
      return denoCommandRunner.run(program, args, options);
    },
  };
  return runner;
}

const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o777;

Deno.test("ManagedSshIdentity", async (t) => {
  await using tmp = await (async () => {
    const path = await Deno.makeTempDir({ prefix: "halo-ssh-identity-" });
    return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
  })();

  await t.step("creates a private ed25519 key and known_hosts under $HALO_VAR/ssh", async () => {
    const runner = counting();
    const identity = new ManagedSshIdentity({ varDir: `${tmp.path}/a`, runner });
    const got = await identity.ensure();
    assertEquals(got, {
      key: `${tmp.path}/a/ssh/id_ed25519`,
      knownHosts: `${tmp.path}/a/ssh/known_hosts`,
      user: "root",
    });
    assertEquals(await mode(`${tmp.path}/a/ssh`), 0o700);
    assertEquals(await mode(got.key), 0o600);
    assertEquals(await mode(got.knownHosts), 0o600);
    assertEquals(await Deno.readTextFile(got.knownHosts), "");
    assertMatch(await identity.publicKey(), /^ssh-ed25519 AAAA\S+ halo-gateway$/);
  });

  await t.step("generates the key once, however many ask at the same time", async () => {
    const runner = counting();
    const identity = new ManagedSshIdentity({ varDir: `${tmp.path}/b`, runner, user: "halo" });
    const all = await Promise.all([identity.ensure(), identity.ensure(), identity.ensure()]);
    assertEquals([runner.runs, all[2]!.user], [1, "halo"]);
  });

  await t.step("keeps an existing key and narrows a widened mode", async () => {
    const first = new ManagedSshIdentity({ varDir: `${tmp.path}/a` });
    const key = await Deno.readTextFile((await first.ensure()).key);
    await Deno.chmod(`${tmp.path}/a/ssh/id_ed25519`, 0o644);
    const runner = counting();
    const again = await new ManagedSshIdentity({ varDir: `${tmp.path}/a`, runner }).ensure();
    assertEquals(runner.runs, 0);
    assertEquals(await Deno.readTextFile(again.key), key);
    assertEquals(await mode(again.key), 0o600);
  });

  await t.step("reports a failing ssh-keygen, and tries again on the next call", async () => {
    let fail = true;
    const runner: CommandRunner = {
      run: (program, args, options) =>
        fail
          ? Promise.resolve({ code: 1, stdout: "", stderr: "no entropy\n" })
          : denoCommandRunner.run(program, args, options),
    };
    const identity = new ManagedSshIdentity({ varDir: `${tmp.path}/c`, runner });
    await assertRejects(() => identity.ensure(), Error, "ssh-keygen exited with 1: no entropy");
    fail = false;
    assert((await Deno.stat((await identity.ensure()).key)).isFile);
  });
});
