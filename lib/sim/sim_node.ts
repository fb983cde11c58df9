import type { NodeReportInput } from "../schemas/report.ts";
import type { SimDevicePlan } from "./network_plan.ts";
import { between, type Random, randomUuid } from "./random.ts";

/** WireGuard starts a new handshake every two minutes while traffic flows. */
export const WG_REKEY_S = 120;
/** The first handshake follows boot once wg-quick has brought wg0 up. */
const HANDSHAKE_AFTER_BOOT_MS = 12_000;

/** A link as the node's batman-adv would list it. */
export type SimLinkReport = NonNullable<NodeReportInput["links"]>[number];
/** A WireGuard peer as `wg show` would list it. */
export type SimPeerReport = NonNullable<NodeReportInput["overlay_peers"]>[number];

/** What the node's radio and WireGuard see around it at one moment. */
export interface Surroundings {
  links: SimLinkReport[];
  overlay_peers: SimPeerReport[];
}

/** Options for {@linkcode SimNode}. */
export interface SimNodeOptions {
  random: Random;
  /** When the simulation starts, ms since the epoch. */
  now: number;
  /** How long the device has been running at `now`. @default a random 30-300 s */
  uptimeS?: number;
  /**
   * Carry on from a boot the gateway already knows (the device kept running
   * while the simulation was stopped); wins over `uptimeS`.
   */
  boot?: SimBoot;
}

/** A device's current boot. */
export interface SimBoot {
  bootId: string;
  /** ms since the epoch */
  bootedAt: number;
}

/**
 * One simulated device: its boot (boot id, uptime), whether its radio
 * reaches the mesh, and its overlay traffic. It is a device, not an agent:
 * it does not decide when to report, it answers "what would my report say
 * at time t".
 */
export class SimNode {
  readonly device: SimDevicePlan;
  readonly #random: Random;
  #bootId: string;
  #bootedAt: number;
  #connected = true;
  /** When `#connected` last changed (or the boot, if later). */
  #changedAt: number;
  /** Time connected since boot, up to `#changedAt`. */
  #connectedMs = 0;
  #handshakeAnchor: number;

  constructor(device: SimDevicePlan, options: SimNodeOptions) {
    this.device = device;
    this.#random = options.random;
    const uptimeS = options.uptimeS ?? Math.round(between(this.#random, 30, 300));
    this.#bootId = options.boot?.bootId ?? randomUuid(this.#random);
    this.#bootedAt = Math.min(options.boot?.bootedAt ?? options.now - uptimeS * 1000, options.now);
    this.#changedAt = this.#bootedAt;
    this.#handshakeAnchor = this.#bootedAt + HANDSHAKE_AFTER_BOOT_MS;
  }

  /** The kernel's boot id; a new one after every reboot. */
  get bootId(): string {
    return this.#bootId;
  }

  /** When the device last booted, ms since the epoch. */
  get bootedAt(): number {
    return this.#bootedAt;
  }

  /** Whether its radio reaches the mesh (and so the gateway). */
  get connected(): boolean {
    return this.#connected;
  }

  /** When it last lost or regained the mesh (or booted), ms since the epoch. */
  get changedAt(): number {
    return this.#changedAt;
  }

  /** Seconds since boot at `t`, with /proc/uptime's two decimals. */
  uptimeS(t: number): number {
    return Math.max(0, Math.round((t - this.#bootedAt) / 10)) / 100;
  }

  /** The radio loses the mesh at `t` (out of range, interference); the device keeps running. */
  disconnect(t: number): void {
    if (!this.#connected) return;
    this.#connectedMs += Math.max(0, t - this.#changedAt);
    this.#connected = false;
    this.#changedAt = t;
  }

  /** The radio hears the mesh again at `t`. */
  reconnect(t: number): void {
    if (this.#connected) return;
    this.#connected = true;
    this.#changedAt = t;
    this.#handshakeAnchor = t;
  }

  /**
   * The device restarts at `t`: new boot id, uptime from zero, counters
   * reset. It comes back up connected only if it was connected before.
   */
  reboot(t: number): void {
    this.#bootId = randomUuid(this.#random);
    this.#bootedAt = t;
    this.#changedAt = t;
    this.#connectedMs = 0;
    // Cut off, it cannot reach the gateway for a handshake until it reconnects.
    this.#handshakeAnchor = this.#connected ? t + HANDSHAKE_AFTER_BOOT_MS : Infinity;
  }

  /** WireGuard bytes sent and received since boot, up to `t`. */
  overlayBytes(t: number): { tx: number; rx: number } {
    const ms = this.#connectedMs + (this.#connected ? Math.max(0, t - this.#changedAt) : 0);
    const tx = Math.floor((ms / 1000) * this.device.overlay_bytes_per_s);
    // Mostly acknowledgements and keepalives come back.
    return { tx, rx: Math.floor(tx * 0.35) };
  }

  /** Seconds since the last WireGuard handshake at `t`; absent before the first one. */
  handshakeAgeS(t: number): number | undefined {
    const anchor = this.#handshakeAnchor;
    if (this.#connected) {
      return t < anchor ? undefined : Math.floor(((t - anchor) / 1000) % WG_REKEY_S);
    }
    if (this.#changedAt < anchor) return undefined;
    // No handshakes while cut off: the age keeps growing from the last one.
    const lastBeforeCut = this.#changedAt - ((this.#changedAt - anchor) % (WG_REKEY_S * 1000));
    return Math.floor((t - lastBeforeCut) / 1000);
  }

  /**
   * The status report the device's agent would send at `t`.
   *
   * @param surroundings links and overlay peers, which depend on the other devices.
   */
  report(t: number, surroundings: Surroundings): NodeReportInput {
    const d = this.device;
    return {
      boot_id: this.#bootId,
      uptime_s: this.uptimeS(t),
      hostname: d.hostname,
      versions: { ...d.versions },
      interfaces: d.interfaces.map((i) => ({ ...i, addresses: [...(i.addresses ?? [])] })),
      links: surroundings.links,
      overlay_peers: surroundings.overlay_peers,
      clients: d.clients.map((c) => ({ ...c })),
      sensors: d.sensors.map((s) => ({ ...s })),
    };
  }
}
