/**
 * A simulated halo-mesh for one device of a {@linkcode SimNetwork}: the
 * links and overlay peers the network plan gives its radio and WireGuard
 * (the same the report-level simulation builds), as `mesh.sock` would
 * serve them.
 */
import type { Clock } from "../../lib/clock.ts";
import type { MeshStatus } from "../../lib/schemas/mesh_socket.ts";
import { meshMacOf } from "../../lib/sim/network_plan.ts";
import type { SimNetwork } from "../../lib/sim/sim_network.ts";
import type { MeshStatusSource } from "./mesh_status.ts";

/** US 802.11ah: channel centre = 902 MHz + 0.5 MHz × channel (radio-and-mesh.md). */
const US_BAND_START_MHZ = 902;

/** The mesh status of device `key` of `network` at the clock's time. */
export function simulatedMeshStatus(
  network: SimNetwork,
  key: string,
  clock: Clock,
): MeshStatusSource {
  const device = network.node(key).device;
  const gateway = network.plan.devices.find((d) => d.role === "gateway")!;
  const names = new Map(network.plan.devices.map((d) => [meshMacOf(d), d.hostname]));
  const overlay = device.interfaces.find((i) => i.kind === "wireguard");
  const batman = device.interfaces.find((i) => i.kind === "batman");
  const channel = network.plan.mesh.channel;
  return {
    status(): Promise<MeshStatus> {
      const seen = network.surroundings(key, clock.now());
      return Promise.resolve({
        mesh_iface: batman?.name ?? null,
        radio: {
          iface: device.mesh_iface,
          up: true,
          channel,
          frequency_mhz: US_BAND_START_MHZ + 0.5 * channel,
          bandwidth_mhz: 1,
        },
        links: seen.links.map((link) => {
          const name = names.get(link.neighbor_mac);
          return { ...link, ...(name ? { neighbor_name: name } : {}) };
        }),
        gateway: {
          underlay_address: gateway.mesh_address,
          overlay_address: gateway.overlay_address,
        },
        overlay: overlay
          ? {
            iface: overlay.name,
            public_key: device.wg_public_key,
            address: overlay.addresses?.[0] ?? null,
            peers: seen.overlay_peers.map((p) => ({
              ...p,
              allowed_ips: p.allowed_ips ?? [],
              rx_bytes: p.rx_bytes ?? 0,
              tx_bytes: p.tx_bytes ?? 0,
            })),
          }
          : null,
      });
    },
  };
}
