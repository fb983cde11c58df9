/**
 * Which neighbours are the node's clients — the data consumers attached to
 * it — from the kernel's neighbour table and batman-adv's local translation
 * table. Pure, so the rules are tested on their own.
 */
import type { Neighbour, NeighbourState } from "../../lib/netlink/mod.ts";
import type { INTERFACE_KINDS, NodeReportInput } from "../../lib/schemas/report.ts";
import type { TranstableLocalEntry } from "../../lib/schemas/batctl.ts";

export type ClientReport = NonNullable<NodeReportInput["clients"]>[number];
type InterfaceKind = typeof INTERFACE_KINDS[number];

/** Entries that stand for a device answering now or lately; not failed, unresolved or static. */
const LIVE_STATES: ReadonlySet<NeighbourState> = new Set([
  "reachable",
  "stale",
  "delay",
  "probe",
  "permanent",
]);
/** Interfaces whose neighbours are other HALO nodes, not clients. */
const MESH_KINDS: ReadonlySet<InterfaceKind> = new Set(["halow", "batman", "wireguard"]);

/** An interface as {@linkcode clientsOf} needs it. */
export interface ClientInterface {
  name: string;
  kind: InterfaceKind;
  mac: string | null;
}

/**
 * The clients among the neighbours on access interfaces (not the mesh, not
 * the overlay), one per interface and MAC with its IPv4 address where it has
 * one; then batman-adv's local clients (bridged onto the mesh through this
 * node) not seen there, named on the mesh interface.
 *
 * @param interfaces by ifindex
 * @param translated `transtable_local_json` entries per batman-adv interface name
 */
export function clientsOf(
  neighbours: readonly Neighbour[],
  interfaces: ReadonlyMap<number, ClientInterface>,
  translated: ReadonlyMap<string, readonly TranstableLocalEntry[]> = new Map(),
): ClientReport[] {
  const own = new Set([...interfaces.values()].map((i) => i.mac));
  const byKey = new Map<string, ClientReport>();
  for (const n of neighbours) {
    const iface = interfaces.get(n.index);
    if (!iface || MESH_KINDS.has(iface.kind) || !LIVE_STATES.has(n.state)) continue;
    if (n.mac === null || !isUnicastMac(n.mac) || own.has(n.mac) || isMulticastIp(n.address)) {
      continue;
    }
    const key = `${iface.name} ${n.mac}`;
    const known = byKey.get(key);
    if (!known || preference(n.address) > preference(known.ip ?? "")) {
      byKey.set(key, { mac: n.mac, ip: n.address, iface: iface.name });
    }
  }
  const seen = new Set([...byKey.values()].map((c) => c.mac));
  for (const [meshIface, entries] of translated) {
    for (const entry of entries) {
      if (entry.tt_flags.nopurge || entry.tt_flags.del || seen.has(entry.tt_address)) continue;
      seen.add(entry.tt_address);
      const ip = neighbours.find((n) => n.mac === entry.tt_address && LIVE_STATES.has(n.state))
        ?.address;
      byKey.set(`${meshIface} ${entry.tt_address}`, {
        mac: entry.tt_address,
        ...(ip ? { ip } : {}),
        iface: meshIface,
      });
    }
  }
  return [...byKey.values()];
}

/** Individual, not group or broadcast (the I/G bit), and not all zeros. */
function isUnicastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 0 && mac !== "00:00:00:00:00:00";
}

function isMulticastIp(ip: string): boolean {
  if (ip.includes(":")) return ip.toLowerCase().startsWith("ff");
  const first = Number(ip.split(".")[0]);
  return first >= 224 && first <= 239;
}

/** IPv4 first (what people recognise), then global IPv6, then link-local. */
function preference(ip: string): number {
  if (ip === "") return 0;
  if (!ip.includes(":")) return 3;
  return ip.toLowerCase().startsWith("fe80:") ? 1 : 2;
}
