/**
 * The network collector: interfaces, their addresses and 64-bit counters
 * from rtnetlink (not by parsing `ip`), and the node's clients from the
 * neighbour table and, where batman-adv runs, its local translation table
 * (`batctl`).
 *
 * An interface's canonical kind comes from what the kernel says of it:
 * batman-adv's soft interface (link kind `batadv`) is `batman`; link kind
 * `wireguard`, or a `tun` named `wg*` (wireguard-go), is `wireguard`; a
 * wireless device (it has /sys/class/net/IF/phy80211) is `halow` when its
 * driver is Morse Micro's (`morse_*` in device/uevent), else `wifi`; any
 * other link kind (veth, bridge, vlan…) is `other`; a plain Ethernet device
 * (ARPHRD_ETHER, no link kind) is `eth`. Loopback is left out.
 */
import type { Clock } from "../../lib/clock.ts";
import type { CommandRunner } from "../../lib/command.ts";
import type { KernelFiles } from "../../lib/kernel_files.ts";
import type { Logger } from "../../lib/log.ts";
import type { InterfaceAddress, Link, LinkStats, Neighbour } from "../../lib/netlink/mod.ts";
import { IFA_F_DADFAILED, IFA_F_TENTATIVE } from "../../lib/netlink/mod.ts";
import { type TranstableLocalEntry, transtableLocalSchema } from "../../lib/schemas/batctl.ts";
import { macSchema } from "../../lib/schemas/common.ts";
import { ifnameSchema, type INTERFACE_KINDS } from "../../lib/schemas/report.ts";
import type { Collection, Collector, Reading, ReportPart } from "./collector.ts";
import { type ClientInterface, clientsOf } from "./network_clients.ts";

type InterfaceKind = typeof INTERFACE_KINDS[number];
type InterfaceReport = NonNullable<ReportPart["interfaces"]>[number];

/** The kernel's tables the collector reads; `Rtnetlink` from lib/netlink is the real one. */
export interface NetworkTables {
  dumpLinks(): Promise<Link[]>;
  dumpAddresses(): Promise<InterfaceAddress[]>;
  dumpNeighbours(): Promise<Neighbour[]>;
}

/** Options for {@linkcode NetworkCollector}. */
export interface NetworkCollectorOptions {
  tables: NetworkTables;
  /** /sys/class/net, for telling Wi-Fi and HaLow radios apart. */
  files: KernelFiles;
  clock: Clock;
  /** Runs `batctl` where a batman-adv interface exists. */
  commands?: CommandRunner;
  log?: Logger;
}

const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
/** The report's limits (lib/schemas/report.ts). */
const MAX_INTERFACES = 64;
const MAX_ADDRESSES = 32;
const MAX_CLIENTS = 1024;
const COUNTERS = [
  "rx_bytes",
  "tx_bytes",
  "rx_packets",
  "tx_packets",
  "rx_errors",
  "tx_errors",
  "rx_dropped",
  "tx_dropped",
] as const satisfies readonly (keyof LinkStats)[];

/** One interface's byte counters at one collection, for the rates of the next. */
interface Previous {
  index: number;
  at: number;
  rx: number;
  tx: number;
}

/** Reads the node's interfaces and clients; see the module comment. */
export class NetworkCollector implements Collector {
  readonly name = "network";
  readonly #o: NetworkCollectorOptions;
  #previous = new Map<string, Previous>();
  /** Kinds by `index name`: an interface keeps its kind while it exists, so /sys is read once. */
  #kinds = new Map<string, InterfaceKind>();
  #batctlMissing = false;

  constructor(options: NetworkCollectorOptions) {
    this.#o = options;
  }

  async collect(signal: AbortSignal): Promise<Collection> {
    const links = await this.#o.tables.dumpLinks();
    const addresses = await this.#o.tables.dumpAddresses();
    const neighbours = await this.#o.tables.dumpNeighbours();
    const at = this.#o.clock.now();
    const kept = links.filter((l) => l.hardwareType !== ARPHRD_LOOPBACK && validName(l.name))
      .sort((a, b) => a.index - b.index).slice(0, MAX_INTERFACES);
    const kinds = new Map<number, InterfaceKind>();
    const known = new Map<string, InterfaceKind>();
    for (const link of kept) {
      const id = `${link.index} ${link.name}`;
      const kind = this.#kinds.get(id) ?? await this.#kindOf(link);
      kinds.set(link.index, kind);
      known.set(id, kind);
    }
    this.#kinds = known;

    const readings: Reading[] = [];
    const previous = new Map<string, Previous>();
    for (const link of kept) {
      const labels = { iface: link.name };
      readings.push({ metric: "net.up", value: Number(link.running), labels });
      if (!link.stats) continue;
      for (const counter of COUNTERS) {
        readings.push({
          metric: `net.${counter}`,
          value: link.stats[counter],
          unit: counter.endsWith("bytes") ? "B" : "count",
          labels,
        });
      }
      const now = { index: link.index, at, rx: link.stats.rx_bytes, tx: link.stats.tx_bytes };
      readings.push(...rates(this.#previous.get(link.name), now, labels));
      previous.set(link.name, now);
    }
    this.#previous = previous;

    const byIndex = new Map<number, ClientInterface>(
      kept.map((l) => [l.index, { name: l.name, kind: kinds.get(l.index)!, mac: macOf(l) }]),
    );
    const batman = kept.filter((l) => kinds.get(l.index) === "batman");
    const translated = new Map<string, TranstableLocalEntry[]>();
    for (const link of batman) {
      const entries = await this.#localClients(link.name, signal);
      if (entries) translated.set(link.name, entries);
    }
    const clients = clientsOf(neighbours, byIndex, translated).slice(0, MAX_CLIENTS);
    readings.push({ metric: "net.clients", value: clients.length, unit: "count" });
    const interfaces = kept.map((link) => interfaceReport(link, kinds.get(link.index)!, addresses));
    return { readings, report: { interfaces, clients } };
  }

  async #kindOf(link: Link): Promise<InterfaceKind> {
    if (link.kind === "batadv") return "batman";
    if (link.kind === "wireguard" || (link.kind === "tun" && link.name.startsWith("wg"))) {
      return "wireguard";
    }
    if (link.kind !== null) return "other";
    const base = `/sys/class/net/${link.name}`;
    if (await this.#o.files.read(`${base}/phy80211/name`) !== null) {
      const uevent = await this.#o.files.read(`${base}/device/uevent`) ?? "";
      return /^DRIVER=morse/m.test(uevent) ? "halow" : "wifi";
    }
    return link.hardwareType === ARPHRD_ETHER ? "eth" : "other";
  }

  /** batman-adv's local translation table; null when batctl is absent or fails (logged). */
  async #localClients(mesh: string, signal: AbortSignal): Promise<TranstableLocalEntry[] | null> {
    if (!this.#o.commands || this.#batctlMissing) return null;
    const args = ["meshif", mesh, "transtable_local_json"];
    let out;
    try {
      out = await this.#o.commands.run("batctl", args, { timeoutMs: 5000, signal });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      this.#batctlMissing = true;
      this.#o.log?.warn("batctl is not installed: batman-adv clients are not reported");
      return null;
    }
    if (out.code !== 0) {
      this.#o.log?.warn("batctl failed", { args, code: out.code, stderr: out.stderr.trim() });
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(out.stdout);
    } catch (error) {
      throw new SyntaxError(`batctl ${args.join(" ")} printed no JSON`, { cause: error });
    }
    const parsed = transtableLocalSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new TypeError(
        `batctl ${args.join(" ")}: ${issue.path.join(".")}: ${issue.message}`,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }
}

/** Bytes per second since the previous collection, unless the interface was recreated or reset. */
function rates(before: Previous | undefined, now: Previous, labels: { iface: string }): Reading[] {
  if (!before || before.index !== now.index || now.at <= before.at) return [];
  if (now.rx < before.rx || now.tx < before.tx) return [];
  const seconds = (now.at - before.at) / 1000;
  return [
    {
      metric: "net.rx_rate",
      value: Math.round((now.rx - before.rx) / seconds),
      unit: "B/s",
      labels,
    },
    {
      metric: "net.tx_rate",
      value: Math.round((now.tx - before.tx) / seconds),
      unit: "B/s",
      labels,
    },
  ];
}

function interfaceReport(
  link: Link,
  kind: InterfaceKind,
  addresses: readonly InterfaceAddress[],
): InterfaceReport {
  const mac = macOf(link);
  const cidrs = addresses
    .filter((a) => a.index === link.index && (a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) === 0)
    .map((a) => `${a.address}/${a.prefixLength}`)
    .slice(0, MAX_ADDRESSES);
  return {
    name: link.name,
    kind,
    ...(mac ? { mac } : {}),
    addresses: cidrs,
    up: link.running,
    ...(link.mtu >= 68 && link.mtu <= 65535 ? { mtu: link.mtu } : {}),
  };
}

/** An Ethernet-style MAC; null for links without one (WireGuard, tun) or with another length. */
function macOf(link: Link): string | null {
  return link.mac !== null && macSchema.safeParse(link.mac).success ? link.mac : null;
}

function validName(name: string): boolean {
  return ifnameSchema.safeParse(name).success;
}
