/**
 * Debian's `age`, the reference tool a user decrypts a backup with
 * (`apt-get install -y age`; `.ci/run` installs it).
 */

let ignoring: Promise<boolean> | undefined;

/** Whether to skip tests that need `age`: only when it is missing and this is not CI. */
export function ignoreWithoutAge(): Promise<boolean> {
  ignoring ??= ageInstalled().then((available) => {
    if (available || Deno.env.get("CI") === "true") return false;
    console.warn(
      "%cignoring age tests: age is not installed (apt-get install -y age)",
      "color: yellow",
    );
    return true;
  });
  return ignoring;
}

async function ageInstalled(): Promise<boolean> {
  try {
    const probe = new Deno.Command("age", { args: ["--version"], stdout: "null", stderr: "null" });
    return (await probe.output()).success;
  } catch {
    // Spawning a missing program throws NotFound.
    return false;
  }
}

/**
 * Runs `age -d -o out file`, typing `passphrase` at its prompt. age reads a
 * passphrase only from a terminal, so it runs under `script` (util-linux),
 * which gives it one fed from our pipe.
 */
export async function ageDecrypt(
  file: string,
  out: string,
  passphrase: string,
): Promise<{ code: number; output: string }> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", `age -d -o ${quote(out)} ${quote(file)}`, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const typing = child.stdin.getWriter();
  await typing.write(new TextEncoder().encode(`${passphrase}\n`));
  // Stdin stays open until age is done: at its end script would hang up the terminal.
  const result = await child.output();
  await typing.close().catch(() => {});
  const output = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  return { code: result.code, output };
}
