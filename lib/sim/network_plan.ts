/**
 * The simulated HALO network: which devices exist, how they are wired and
 * what they carry. The demo, system tests and benchmarks all build on
 * {@linkcode DEMO_NETWORK}, so its identities (serials, machine-ids, MACs,
 * WireGuard keys) never change: re-enrolling the same plan must give the same
 * nodes.
 *
 * Addressing follows a lab that cannot collide with real networks: the lab
 * LAN is 198.18.0.0/24 and the mesh 198.18.8.0/24 (RFC 2544 benchmarking
 * range), client access points use 198.18.16.0/24, the WireGuard overlay is
 * the ULA fd48:414c:4f00::/64 ("HALO" in hex), and every MAC is locally
 * administered (02:…).
 */
import type { NodeRole } from "../schemas/common.ts";
import type { NodeReportInput } from "../schemas/report.ts";

/** An interface as the device's agent would list it. */
export type SimInterfacePlan = NonNullable<NodeReportInput["interfaces"]>[number];
/** A sensor on a data provider. */
export type SimSensorPlan = NonNullable<NodeReportInput["sensors"]>[number];
/** A data consumer attached to a node (shown as Clients). */
export type SimClientPlan = NonNullable<NodeReportInput["clients"]>[number];

/** One simulated device. */
export interface SimDevicePlan {
  /** Short stable key the simulation uses, e.g. `leaf-2`. */
  key: string;
  hostname: string;
  role: NodeRole;
  /** What this device is, for people reading logs. */
  description: string;
  hardware: { serial: string; machine_id: string };
  wg_public_key: string;
  /** The device's overlay (wg0) address without prefix length. */
  overlay_address: string;
  /** The mesh (bat0) address without prefix length; other nodes reach its WireGuard here. */
  mesh_address: string;
  /** The HaLow interface whose MAC is the device's batman-adv originator address. */
  mesh_iface: string;
  /** The next device towards the gateway in the intended tree; null for the gateway. */
  parent: string | null;
  interfaces: SimInterfacePlan[];
  sensors: SimSensorPlan[];
  clients: SimClientPlan[];
  tags: string[];
  versions: Record<string, string>;
  /** WireGuard traffic this device sends on average, bytes per second. */
  overlay_bytes_per_s: number;
}

/** A radio link between two devices and its typical quality. */
export interface SimLinkPlan {
  a: string;
  b: string;
  /** Typical batman-adv transmit quality, 0-255. */
  tq: number;
  /** Typical received signal, dBm. */
  signal_dbm: number;
}

/** A neuron component placed on a device. */
export interface SimPlacementPlan {
  /** `brain-<component>-<neuron>` */
  component: string;
  device: string;
}

/** The whole simulated network and how the demo provisions it. */
export interface NetworkPlan {
  mesh: { ssid: string; channel: number; psk: string; description: string };
  /** The WireGuard overlay; nodes route all of it through the gateway. */
  overlay_prefix: string;
  devices: SimDevicePlan[];
  links: SimLinkPlan[];
  neuron: { id: string; description: string; placements: SimPlacementPlan[] };
  /** The leaf that drops off now and then, so offline/online/rebooted events happen. */
  flaky: string;
}

const OVERLAY_PREFIX = "fd48:414c:4f00::";
const MESH_PREFIX = "198.18.8.";

/** `02:48:4c:00:<device>:<port>`: locally administered, "HL" in the vendor bytes. */
function mac(device: number, port: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return `02:48:4c:00:${hex(device)}:${hex(port)}`;
}

const PORT = { eth0: 1, halow0: 2, bat0: 3, wlan0: 4 } as const;
const AGENT_VERSIONS = {
  "halo-agent": "0.1.0-sim",
  "halo-mesh": "0.1.0-sim",
  kernel: "6.6.51-v8-16k+",
  "batman-adv": "2024.3",
};

interface DeviceSketch {
  key: string;
  index: number;
  hostname: string;
  role: NodeRole;
  description: string;
  serial: string;
  machineId: string;
  wgKey: string;
  meshHost: number;
  parent: string | null;
  tags: string[];
  /** The lab LAN uplink; only the gateway has its Ethernet plugged in. */
  labAddress?: string;
  /** An access point for clients (data consumers) on wlan0. */
  accessPoint?: { address: string; clients: SimClientPlan[] };
  sensors?: SimSensorPlan[];
  overlayBytesPerS: number;
}

function device(s: DeviceSketch): SimDevicePlan {
  const interfaces: SimInterfacePlan[] = [
    {
      name: "eth0",
      kind: "eth",
      mac: mac(s.index, PORT.eth0),
      addresses: s.labAddress ? [s.labAddress] : [],
      up: s.labAddress !== undefined,
      mtu: 1500,
    },
    // The HaLow radio is a batman-adv hard interface: no address of its own.
    {
      name: "halow0",
      kind: "halow",
      mac: mac(s.index, PORT.halow0),
      addresses: [],
      up: true,
      mtu: 1532,
    },
    {
      name: "bat0",
      kind: "batman",
      mac: mac(s.index, PORT.bat0),
      addresses: [`${MESH_PREFIX}${s.meshHost}/24`],
      up: true,
      mtu: 1500,
    },
  ];
  if (s.accessPoint) {
    interfaces.push({
      name: "wlan0",
      kind: "wifi",
      mac: mac(s.index, PORT.wlan0),
      addresses: [s.accessPoint.address],
      up: true,
      mtu: 1500,
    });
  }
  interfaces.push({
    name: "wg0",
    kind: "wireguard",
    addresses: [`${OVERLAY_PREFIX}${s.index}/64`],
    up: true,
    mtu: 1420,
  });
  return {
    key: s.key,
    hostname: s.hostname,
    role: s.role,
    description: s.description,
    hardware: { serial: s.serial, machine_id: s.machineId },
    wg_public_key: s.wgKey,
    overlay_address: `${OVERLAY_PREFIX}${s.index}`,
    mesh_address: `${MESH_PREFIX}${s.meshHost}`,
    mesh_iface: "halow0",
    parent: s.parent,
    interfaces,
    sensors: s.sensors ?? [],
    clients: s.accessPoint?.clients ?? [],
    tags: s.tags,
    versions: s.role === "gateway"
      ? { ...AGENT_VERSIONS, "gateway-api": "0.1.0-sim" }
      : { ...AGENT_VERSIONS },
    overlay_bytes_per_s: s.overlayBytesPerS,
  };
}

/**
 * The six demo devices: the gateway itself, a relay on a mast, and four
 * leaves. Three leaves hang off the relay, the fourth sits at the edge of the
 * gateway's range and is the one that drops off. Two leaves are data
 * providers (a BME280 weather sensor and an INA219 power monitor); one runs
 * an access point with a field tablet attached (a data consumer).
 */
export const DEMO_NETWORK: NetworkPlan = {
  mesh: {
    ssid: "ETHRX0001-8A",
    channel: 28,
    psk: "halo-demo-mesh-passphrase",
    description: "Demo mesh (simulated Wi-Fi HaLow, 1 MHz channels)",
  },
  overlay_prefix: `${OVERLAY_PREFIX}/64`,
  devices: [
    device({
      key: "gateway",
      index: 1,
      hostname: "halo-gateway",
      role: "gateway",
      description: "gateway in the lab office, Ethernet uplink",
      serial: "10000000a1b2c301",
      machineId: "0a72352d333f0aaa2b856f8cd0e13134",
      wgKey: "5DRThIVJEMfDhTwirhm61w6AtpyyHvLxuBD5S6fSbl0=",
      meshHost: 1,
      parent: null,
      tags: ["demo", "site:lab", "uplink"],
      labAddress: "198.18.0.1/24",
      overlayBytesPerS: 900,
    }),
    device({
      key: "relay",
      index: 2,
      hostname: "halo-relay-01",
      role: "node",
      description: "relay on the mast between the lab and the field",
      serial: "10000000a1b2c302",
      machineId: "6abe6e3887aa9d01ef42ace97d82050e",
      wgKey: "1Kv+QHO8Cb6W8nQ8Y8NaLhFVkvVQagH0zcJ/nM2e0Ao=",
      meshHost: 2,
      parent: "gateway",
      tags: ["demo", "site:mast", "relay"],
      overlayBytesPerS: 120,
    }),
    device({
      key: "leaf-1",
      index: 11,
      hostname: "halo-leaf-01",
      role: "node",
      description: "weather station in the field (BME280)",
      serial: "10000000a1b2c311",
      machineId: "5ac9a31c654032d15fe1f8b0bf0b061d",
      wgKey: "RJ4x2ReNmSm8GlhuleX08CTWYIlW7m3oz8cjGQOugHs=",
      meshHost: 11,
      parent: "relay",
      tags: ["demo", "site:field", "sensors", "weather"],
      sensors: [{ name: "bme280", kind: "bme280", bus: "i2c-1", address: "0x76" }],
      overlayBytesPerS: 240,
    }),
    device({
      key: "leaf-2",
      index: 12,
      hostname: "halo-leaf-02",
      role: "node",
      description: "solar battery monitor in the field (INA219)",
      serial: "10000000a1b2c312",
      machineId: "4d971aab0e4bd9175cf59b2bd12b8762",
      wgKey: "L7MYz3payGHp7RxbKRoJYBGEiQlm0vj1ANYxFJaQQJs=",
      meshHost: 12,
      parent: "relay",
      tags: ["demo", "site:field", "sensors", "power"],
      sensors: [{ name: "ina219", kind: "ina219", bus: "i2c-1", address: "0x40" }],
      overlayBytesPerS: 200,
    }),
    device({
      key: "leaf-3",
      index: 13,
      hostname: "halo-leaf-03",
      role: "node",
      description: "field access point with a tablet attached",
      serial: "10000000a1b2c313",
      machineId: "53346d8653209ed8a2e0bc5a567b2f6e",
      wgKey: "ad6mZiXEhJOd+fgjtNVB2Ya+qd2ESdUBNxnPCL9raBk=",
      meshHost: 13,
      parent: "relay",
      tags: ["demo", "site:field", "clients"],
      accessPoint: {
        address: "198.18.16.1/24",
        clients: [{
          mac: "02:48:4c:c0:00:01",
          ip: "198.18.16.23",
          hostname: "field-tablet-01",
          iface: "wlan0",
        }],
      },
      overlayBytesPerS: 1500,
    }),
    device({
      key: "leaf-4",
      index: 14,
      hostname: "halo-leaf-04",
      role: "node",
      description: "pump house at the edge of the gateway's range",
      serial: "10000000a1b2c314",
      machineId: "f1f7060e89257bde4be59702623ff307",
      wgKey: "yiDydy/XHXrkh6BxGjZRY6zjdSOTpZvBbgvcY77scJg=",
      meshHost: 14,
      parent: "gateway",
      tags: ["demo", "site:pumphouse", "edge"],
      overlayBytesPerS: 80,
    }),
  ],
  links: [
    { a: "relay", b: "gateway", tq: 235, signal_dbm: -58 },
    { a: "leaf-1", b: "relay", tq: 210, signal_dbm: -66 },
    { a: "leaf-2", b: "relay", tq: 190, signal_dbm: -71 },
    { a: "leaf-3", b: "relay", tq: 200, signal_dbm: -69 },
    { a: "leaf-4", b: "gateway", tq: 150, signal_dbm: -84 },
    // A weak sideways link makes it a mesh rather than a tree; routes still go via the relay.
    { a: "leaf-1", b: "leaf-2", tq: 95, signal_dbm: -86 },
  ],
  neuron: {
    id: "n01",
    description: "Demo neuron: field environment and power",
    placements: [
      { component: "brain-sensor-n01", device: "leaf-1" },
      { component: "brain-sensor-n01", device: "leaf-2" },
      { component: "brain-thought-n01", device: "gateway" },
      { component: "brain-memory-n01", device: "gateway" },
      { component: "brain-send-n01", device: "relay" },
    ],
  },
  flaky: "leaf-4",
};

/**
 * The device with `key`.
 *
 * @throws {RangeError} when the plan has no such device.
 */
export function deviceOf(plan: NetworkPlan, key: string): SimDevicePlan {
  const found = plan.devices.find((d) => d.key === key);
  if (!found) {
    throw new RangeError(
      `Unknown simulated device "${key}": the plan has ${
        plan.devices.map((d) => d.key).join(", ")
      }`,
    );
  }
  return found;
}

/** The MAC other nodes name this device by in their links (its batman-adv originator). */
export function meshMacOf(device: SimDevicePlan): string {
  const iface = device.interfaces.find((i) => i.name === device.mesh_iface);
  if (!iface?.mac) {
    throw new TypeError(`Device "${device.key}": mesh interface ${device.mesh_iface} has no MAC`);
  }
  return iface.mac;
}

/**
 * Lists everything inconsistent in a plan: duplicate identities, a missing
 * or second gateway, parents without a radio link, devices whose parent chain
 * does not end at the gateway. An empty list means the plan is sound.
 */
export function planProblems(plan: NetworkPlan): string[] {
  const problems: string[] = [];
  const keys = new Set(plan.devices.map((d) => d.key));
  const duplicates = (label: string, values: string[]) => {
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v)) problems.push(`${label} ${v} is used twice`);
      seen.add(v);
    }
  };
  duplicates("device key", plan.devices.map((d) => d.key));
  duplicates("hostname", plan.devices.map((d) => d.hostname));
  duplicates("serial", plan.devices.map((d) => d.hardware.serial));
  duplicates("machine-id", plan.devices.map((d) => d.hardware.machine_id));
  duplicates("WireGuard key", plan.devices.map((d) => d.wg_public_key));
  duplicates(
    "MAC",
    plan.devices.flatMap((d) => [
      ...d.interfaces.flatMap((i) => (i.mac ? [i.mac] : [])),
      ...d.clients.map((c) => c.mac),
    ]),
  );

  const gateways = plan.devices.filter((d) => d.role === "gateway");
  if (gateways.length !== 1) problems.push(`expected one gateway, found ${gateways.length}`);
  const linked = (a: string, b: string) =>
    plan.links.some((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a));
  for (const l of plan.links) {
    for (const end of [l.a, l.b]) if (!keys.has(end)) problems.push(`link to unknown ${end}`);
  }
  for (const d of plan.devices) {
    if (d.role === "gateway") {
      if (d.parent !== null) problems.push(`gateway ${d.key} has a parent`);
      continue;
    }
    if (d.parent === null || !keys.has(d.parent)) {
      problems.push(`${d.key} has no known parent`);
      continue;
    }
    if (!linked(d.key, d.parent)) problems.push(`${d.key} has no radio link to its parent`);
    const chain = new Set([d.key]);
    let at: SimDevicePlan | undefined = d;
    while (at && at.parent !== null) {
      if (chain.has(at.parent)) {
        problems.push(`${d.key}: parent chain loops at ${at.parent}`);
        break;
      }
      chain.add(at.parent);
      at = plan.devices.find((x) => x.key === at!.parent);
    }
  }
  if (!keys.has(plan.flaky)) problems.push(`flaky device ${plan.flaky} is unknown`);
  for (const p of plan.neuron.placements) {
    if (!keys.has(p.device)) problems.push(`${p.component} is placed on unknown ${p.device}`);
  }
  return problems;
}
