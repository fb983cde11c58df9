/**
 * Records one dump each of links, addresses and neighbours from the kernel of
 * the network namespace it runs in, and what iproute2 says about the same
 * tables just before, as the tests' independent reading. Run by capture.sh.
 */
import type { NetlinkSocket } from "../libc.ts";
import { openNetlinkSocket } from "../libc.ts";
import { NETLINK_ROUTE, Rtnetlink } from "../rtnetlink.ts";
import { writeCapture } from "../../testing/fake_netlink.ts";

const here = new URL(".", import.meta.url);

async function ipJson(args: string[]): Promise<unknown> {
  const out = await new Deno.Command("ip", { args: ["-j", ...args] }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Keeps every datagram the kernel sends. */
class RecordingSocket implements NetlinkSocket {
  datagrams: Uint8Array[] = [];
  constructor(private readonly inner: NetlinkSocket) {}
  send(bytes: Uint8Array): void {
    this.inner.send(bytes);
  }
  async receive(): Promise<Uint8Array> {
    const datagram = await this.inner.receive();
    this.datagrams.push(datagram);
    return datagram;
  }
  close(): void {
    this.inner.close();
  }
}

const tables = [
  ["links", ["-s", "-d", "link", "show"], (rt: Rtnetlink) => rt.dumpLinks()],
  ["addresses", ["addr", "show"], (rt: Rtnetlink) => rt.dumpAddresses()],
  ["neighbours", ["neigh", "show", "nud", "all"], (rt: Rtnetlink) => rt.dumpNeighbours()],
] as const;

for (const [name, ipArgs, dump] of tables) {
  const oracle = await ipJson([...ipArgs]);
  // One fresh socket per table, so each capture's request is number 1.
  const socket = new RecordingSocket(openNetlinkSocket(NETLINK_ROUTE));
  using rt = new Rtnetlink(socket);
  await dump(rt);
  await Deno.writeFile(new URL(`${name}.bin`, here), writeCapture(socket.datagrams));
  await Deno.writeTextFile(
    new URL(`ip-${name}.json`, here),
    JSON.stringify(oracle, null, 2) + "\n",
  );
  console.log(`${name}: ${socket.datagrams.length} datagrams`);
}
