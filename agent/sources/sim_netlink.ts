/**
 * The rtnetlink tables of a simulated device: its planned interfaces (and
 * loopback) with their addresses, the kernel's counters driven by the
 * device's overlay traffic and uptime (so they restart at a reboot and stand
 * still while the radio is cut off), and a neighbour table holding its
 * clients and its radio neighbours on the mesh.
 */
import type { Clock } from "../../lib/clock.ts";
import {
  IFA_F_PERMANENT,
  type InterfaceAddress,
  type Link,
  LINK_STATS64_FIELDS,
  type LinkStats,
  type Neighbour,
} from "../../lib/netlink/mod.ts";
import { type SimInterfacePlan } from "../../lib/sim/network_plan.ts";
import type { SimNetwork } from "../../lib/sim/sim_network.ts";
import type { SimNode } from "../../lib/sim/sim_node.ts";
import type { NetworkTables } from "../collectors/network.ts";

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;
/** batman-adv's originator messages and the radio's management frames, bytes per second. */
const OGM_BYTES_PER_S = 60;
const RADIO_BYTES_PER_S = 24;
/** An average frame on these links, bytes. */
const FRAME_BYTES = 420;

/** The device `key` of `network`, as rtnetlink would list it at the clock's time. */
export function simulatedNetlink(network: SimNetwork, key: string, clock: Clock): NetworkTables {
  const node = network.node(key);
  const plan = node.device.interfaces;
  const indexOf = (name: string) => plan.findIndex((i) => i.name === name) + 2;
  return {
    dumpLinks() {
      const t = clock.now();
      const loopback: Link = {
        ...link(1, "lo", true),
        hardwareType: 772,
        flags: IFF_UP | IFF_LOOPBACK | IFF_RUNNING,
        mtu: 65536,
        mac: "00:00:00:00:00:00",
        operState: "unknown",
      };
      return Promise.resolve([
        loopback,
        ...plan.map((iface, i): Link => ({
          ...link(i + 2, iface.name, iface.up),
          hardwareType: iface.kind === "wireguard" ? 65534 : 1,
          mtu: iface.mtu ?? 1500,
          mac: iface.mac ?? null,
          masterIndex: iface.kind === "halow" ? indexOf("bat0") : null,
          kind: iface.kind === "batman"
            ? "batadv"
            : iface.kind === "wireguard"
            ? "wireguard"
            : null,
          stats: countersOf(node, iface, t),
        })),
      ]);
    },
    dumpAddresses() {
      return Promise.resolve(
        plan.flatMap((iface) =>
          (iface.addresses ?? []).map((cidr): InterfaceAddress => {
            const [address, length] = cidr.split("/");
            return {
              index: indexOf(iface.name),
              family: address!.includes(":") ? "inet6" : "inet",
              address: address!,
              prefixLength: Number(length),
              peer: null,
              scope: "universe",
              label: null,
              flags: IFA_F_PERMANENT,
            };
          })
        ),
      );
    },
    dumpNeighbours() {
      const clients = node.device.clients.flatMap((c): Neighbour[] =>
        c.ip === undefined ? [] : [{
          index: indexOf(c.iface),
          family: "inet",
          address: c.ip,
          mac: c.mac,
          state: "reachable",
          router: false,
        }]
      );
      const mesh = network.plan.links.flatMap((l) => {
        const other = l.a === key ? l.b : l.b === key ? l.a : null;
        if (other === null) return [];
        const device = network.node(other).device;
        const bat = device.interfaces.find((i) => i.kind === "batman");
        return [
          {
            index: indexOf("bat0"),
            family: "inet",
            address: device.mesh_address,
            mac: bat?.mac ?? null,
            state: node.connected ? "reachable" : "stale",
            router: false,
          } satisfies Neighbour,
        ];
      });
      return Promise.resolve([...clients, ...mesh]);
    },
  };
}

function link(index: number, name: string, up: boolean): Link {
  return {
    index,
    name,
    hardwareType: 1,
    flags: up ? IFF_UP | IFF_RUNNING : 0,
    up,
    running: up,
    mtu: 1500,
    mac: null,
    operState: up ? "up" : "down",
    masterIndex: null,
    kind: null,
    stats: null,
  };
}

/** Bytes since boot: the overlay's traffic and what each layer below adds to it. */
function countersOf(node: SimNode, iface: SimInterfacePlan, t: number): LinkStats {
  const zero = Object.fromEntries(LINK_STATS64_FIELDS.map((f) => [f, 0])) as LinkStats;
  if (!iface.up) return zero;
  const overlay = node.overlayBytes(t);
  const uptime = node.uptimeS(t);
  const bat = (bytes: number) => Math.floor(bytes * 1.08 + OGM_BYTES_PER_S * uptime);
  const [rx, tx] = {
    wireguard: [overlay.rx, overlay.tx],
    batman: [bat(overlay.rx), bat(overlay.tx)],
    halow: [
      bat(overlay.rx) + Math.floor(RADIO_BYTES_PER_S * uptime),
      bat(overlay.tx) + Math.floor(RADIO_BYTES_PER_S * uptime),
    ],
    // The gateway's uplink carries the overlay's traffic out to the lab and back.
    eth: [Math.floor(overlay.tx * 1.1), Math.floor(overlay.rx * 1.1)],
    // An access point's clients send what the node carries over the overlay.
    wifi: [Math.floor(overlay.tx * 0.9), Math.floor(overlay.rx * 0.9)],
    other: [0, 0],
  }[iface.kind] as [number, number];
  const rxPackets = Math.ceil(rx / FRAME_BYTES);
  return {
    ...zero,
    rx_bytes: rx,
    tx_bytes: tx,
    rx_packets: rxPackets,
    tx_packets: Math.ceil(tx / FRAME_BYTES),
    // Now and then a frame arrives too damaged to keep.
    rx_dropped: iface.kind === "halow" ? Math.floor(rxPackets / 500) : 0,
  };
}
