import type { NodeReportInput } from "../schemas/report.ts";
import { meshMacOf, type NetworkPlan, planProblems, type SimLinkPlan } from "./network_plan.ts";
import { between, type Random } from "./random.ts";
import {
  type SimBoot,
  type SimLinkReport,
  SimNode,
  type SimPeerReport,
  type Surroundings,
} from "./sim_node.ts";

/** batman-adv forgets a neighbour it has not heard for this long (its purge timeout). */
export const NEIGHBOR_PURGE_MS = 200_000;
/** Link quality takes one small random step per this much simulated time. */
export const LINK_STEP_MS = 10_000;
/** The port every device's WireGuard listens on. */
export const WG_PORT = 51820;

/** Options for {@linkcode SimNetwork}. */
export interface SimNetworkOptions {
  /** Where randomness comes from; a {@linkcode seededRandom} makes runs repeatable. */
  random: Random;
  /** When the simulation starts, ms since the epoch. */
  now: number;
  /** Boots to carry on from, by device key (devices not listed boot afresh). */
  boots?: Record<string, SimBoot>;
}

/** A radio link whose quality wanders gently around its typical value. */
class LinkWalk {
  tq: number;
  signal: number;
  #steppedTo: number;

  constructor(readonly plan: SimLinkPlan, now: number) {
    this.tq = plan.tq;
    this.signal = plan.signal_dbm;
    this.#steppedTo = now;
  }

  /** Takes the random steps due up to `t`: TQ ±4, signal ±1 dB, kept near the typical values. */
  advanceTo(t: number, random: Random): void {
    while (this.#steppedTo + LINK_STEP_MS <= t) {
      this.#steppedTo += LINK_STEP_MS;
      this.tq = clamp(
        Math.round(this.tq + between(random, -4, 4)),
        Math.max(1, this.plan.tq - 25),
        Math.min(255, this.plan.tq + 15),
      );
      this.signal = clamp(
        Math.round((this.signal + between(random, -1, 1)) * 10) / 10,
        this.plan.signal_dbm - 5,
        Math.min(-30, this.plan.signal_dbm + 4),
      );
    }
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * PHY rate a HaLow link of this signal sustains, kbit/s: about 7.5 Mbit/s
 * close by, a few hundred kbit/s at the edge of range.
 */
export function throughputFor(signalDbm: number): number {
  return Math.round(clamp((signalDbm + 95) / 40, 0.04, 1) * 8000);
}

/**
 * The simulated HALO network: every device of a {@linkcode NetworkPlan},
 * the radio links between them, and the WireGuard overlay through the
 * gateway. Ask it for a device's report at any time `t` (moving forward).
 *
 * @example
 * ```ts
 * const net = new SimNetwork(DEMO_NETWORK, { random: seededRandom(1), now: Date.now() });
 * net.disconnect("leaf-4", Date.now());
 * const report = net.report("gateway", Date.now() + 10_000);
 * ```
 */
export class SimNetwork {
  readonly plan: NetworkPlan;
  readonly #random: Random;
  readonly #nodes: Map<string, SimNode>;
  readonly #links: LinkWalk[];

  /** @throws {TypeError} when the plan is inconsistent (see {@linkcode planProblems}). */
  constructor(plan: NetworkPlan, options: SimNetworkOptions) {
    const problems = planProblems(plan);
    if (problems.length > 0) {
      throw new TypeError(`Cannot simulate this network plan: ${problems.join("; ")}`);
    }
    this.plan = plan;
    this.#random = options.random;
    this.#nodes = new Map(plan.devices.map((d) => {
      const boot = options.boots?.[d.key];
      const node = new SimNode(d, {
        random: options.random,
        now: options.now,
        ...(boot ? { boot } : {}),
      });
      return [d.key, node];
    }));
    this.#links = plan.links.map((l) => new LinkWalk(l, options.now));
  }

  /** The simulated device with `key`; throws a `RangeError` for an unknown key. */
  node(key: string): SimNode {
    const node = this.#nodes.get(key);
    if (node) return node;
    throw new RangeError(
      `Unknown simulated device "${key}": the network has ${[...this.#nodes.keys()].join(", ")}`,
    );
  }

  /** Every simulated device, gateway first as in the plan. */
  nodes(): SimNode[] {
    return [...this.#nodes.values()];
  }

  /** The device's radio loses the mesh at `t`. */
  disconnect(key: string, t: number): void {
    this.node(key).disconnect(t);
  }

  /**
   * The device is back at `t`. With `rebootedAgoS`, it had restarted that many
   * seconds earlier (power loss): its report carries a new boot id.
   */
  reconnect(key: string, t: number, options: { rebootedAgoS?: number } = {}): void {
    const node = this.node(key);
    if (options.rebootedAgoS !== undefined) node.reboot(t - options.rebootedAgoS * 1000);
    node.reconnect(t);
  }

  /** The report the device `key` would send at `t` (valid against `nodeReportSchema`). */
  report(key: string, t: number): NodeReportInput {
    return this.node(key).report(t, this.surroundings(key, t));
  }

  /**
   * What the device `key`'s radio and WireGuard see at `t`: its batman-adv
   * links and overlay peers, as halo-mesh would serve them on `mesh.sock`.
   */
  surroundings(key: string, t: number): Surroundings {
    this.node(key);
    for (const link of this.#links) link.advanceTo(t, this.#random);
    return { links: this.#linksOf(key, t), overlay_peers: this.#peersOf(key, t) };
  }

  #linksOf(key: string, t: number): SimLinkReport[] {
    const self = this.node(key);
    const out: SimLinkReport[] = [];
    for (const link of this.#links) {
      const otherKey = link.plan.a === key ? link.plan.b : link.plan.b === key ? link.plan.a : null;
      if (otherKey === null) continue;
      const other = this.node(otherKey);
      // The link went quiet when the first of its two ends lost the mesh.
      const cut = [self, other].filter((n) => !n.connected).map((n) => n.changedAt);
      const lastHeardMs = cut.length > 0
        ? t - Math.min(...cut)
        : Math.round(between(this.#random, 20, 1500));
      if (lastHeardMs > NEIGHBOR_PURGE_MS) continue;
      out.push({
        iface: self.device.mesh_iface,
        neighbor_mac: meshMacOf(other.device),
        tq: link.tq,
        throughput_kbps: throughputFor(link.signal),
        signal_dbm: link.signal,
        last_seen_ms: Math.max(0, Math.round(lastHeardMs)),
      });
    }
    return out;
  }

  /** Hub and spoke: the gateway peers with every node, each node with the gateway only. */
  #peersOf(key: string, t: number): SimPeerReport[] {
    const self = this.node(key);
    const gateway = this.nodes().find((n) => n.device.role === "gateway")!;
    const peer = (
      of: SimNode,
      allowed: string,
      traffic: { tx: number; rx: number },
      age: number | undefined,
    ): SimPeerReport => ({
      public_key: of.device.wg_public_key,
      endpoint: `${of.device.mesh_address}:${WG_PORT}`,
      allowed_ips: [allowed],
      ...(age !== undefined ? { latest_handshake_s: age } : {}),
      rx_bytes: traffic.rx,
      tx_bytes: traffic.tx,
    });
    if (self !== gateway) {
      return [peer(gateway, this.plan.overlay_prefix, self.overlayBytes(t), self.handshakeAgeS(t))];
    }
    return this.nodes().filter((n) => n !== gateway).map((n) => {
      const theirs = n.overlayBytes(t);
      // What a node sends, the gateway receives.
      return peer(
        n,
        `${n.device.overlay_address}/128`,
        { tx: theirs.rx, rx: theirs.tx },
        n.handshakeAgeS(t),
      );
    });
  }
}
