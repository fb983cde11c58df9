/**
 * Scratch network namespaces for tests against the real kernel: two of them
 * joined by a veth pair, addressed in the lab range 198.18.0.0/15, removed
 * again however the test ends. Needs root, iproute2's `ip` and, to send
 * traffic, iputils' `ping` (`.ci/run` installs both).
 */

/** One end of a {@linkcode VethPair}. */
export interface VethEnd {
  /** The network namespace, for `ip -n` and `ip netns exec`. */
  ns: string;
  ifname: string;
  /** Its IPv4 address, without the /24. */
  address: string;
}

/** Two namespaces joined by a veth pair; disposing removes both, and with them the pair. */
export interface VethPair extends AsyncDisposable {
  a: VethEnd;
  b: VethEnd;
}

/** Why this machine cannot run namespace tests, or null when it can. */
export async function netnsUnavailable(): Promise<string | null> {
  if (Deno.uid() !== 0) {
    return "not root: creating network namespaces needs root (run the tests as root)";
  }
  for (const [program, pkg] of [["ip", "iproute2"], ["ping", "iputils-ping"]] as const) {
    try {
      await new Deno.Command(program, { args: ["-V"], stdout: "null", stderr: "null" }).output();
    } catch {
      return `${program} is not installed (apt-get install -y ${pkg})`;
    }
  }
  return null;
}

let ignoring: Promise<boolean> | null = null;

/**
 * For `Deno.test({ ignore })`: true when namespace tests cannot run and this
 * is not CI, after printing why. Under `CI=true` it is false, so the test runs
 * and fails with the reason — in CI a skipped test is a failure.
 */
export function ignoreWithoutNetns(): Promise<boolean> {
  ignoring ??= netnsUnavailable().then((reason) => {
    if (reason === null || Deno.env.get("CI") === "true") return false;
    console.warn(`%cignoring network namespace tests: ${reason}`, "color: yellow");
    return true;
  });
  return ignoring;
}

/** Runs a command to completion; throws with its stderr when it fails. */
export async function must(program: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `${program} ${args.join(" ")} exited ${out.code}: ${decoder.decode(out.stderr).trim()}`,
    );
  }
  return decoder.decode(out.stdout);
}

/** The namespaces that exist now. */
export async function namespaces(): Promise<string[]> {
  const listed = JSON.parse((await must("ip", ["-j", "netns", "list"])).trim() || "[]");
  return listed.map((ns: { name: string }) => ns.name);
}

/**
 * Creates namespaces `halo-<tag>-<pid>-a` and `-b`, a veth pair between them
 * (`halo-a` 198.18.0.1/24, `halo-b` 198.18.0.2/24), both ends and loopback
 * up. What was made is removed if a later step fails.
 *
 * @throws {Error} naming the `ip` command that failed; run {@linkcode netnsUnavailable} first
 */
export async function createVethPair(tag: string): Promise<VethPair> {
  const a = { ns: `halo-${tag}-${Deno.pid}-a`, ifname: "halo-a", address: "198.18.0.1" };
  const b = { ns: `halo-${tag}-${Deno.pid}-b`, ifname: "halo-b", address: "198.18.0.2" };
  const remove = async () => {
    const existing = await namespaces();
    for (const ns of [a.ns, b.ns]) {
      if (existing.includes(ns)) await must("ip", ["netns", "del", ns]);
    }
  };
  try {
    await must("ip", ["netns", "add", a.ns]);
    await must("ip", ["netns", "add", b.ns]);
    await must("ip", [
      "-n",
      a.ns,
      "link",
      "add",
      a.ifname,
      "type",
      "veth",
      "peer",
      "name",
      b.ifname,
      "netns",
      b.ns,
    ]);
    for (const end of [a, b]) {
      await must("ip", ["-n", end.ns, "addr", "add", `${end.address}/24`, "dev", end.ifname]);
      await must("ip", ["-n", end.ns, "link", "set", "lo", "up"]);
      await must("ip", ["-n", end.ns, "link", "set", end.ifname, "up"]);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { a, b, [Symbol.asyncDispose]: remove };
}

/**
 * Every /sys/class/net/<if>/statistics/ counter in `ns`'s own sysfs (which
 * `ip netns exec` mounts), read by grep: Deno wants --allow-all for /sys.
 */
export async function sysfsCounters(ns: string): Promise<Record<string, Record<string, number>>> {
  const lines = await must("ip", [
    "netns",
    "exec",
    ns,
    "sh",
    "-c",
    "grep -H . /sys/class/net/*/statistics/*",
  ]);
  const counters: Record<string, Record<string, number>> = {};
  for (const line of lines.trim().split("\n")) {
    const [, iface, field, value] = line.match(
      /^\/sys\/class\/net\/([^/]+)\/statistics\/(\w+):(\d+)$/,
    )!;
    (counters[iface!] ??= {})[field!] = Number(value);
  }
  return counters;
}
