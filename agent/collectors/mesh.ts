/**
 * The mesh collector: the radio and batman-adv links and the WireGuard
 * overlay belong to halo-mesh; this puts what its {@linkcode MeshStatusSource}
 * says into the node's report (`links`, `overlay_peers`) and telemetry
 * (signal, TQ and throughput per neighbour heard lately, the radio's noise
 * and power, traffic and handshake age per overlay peer).
 */
import type { Collection, Collector, Reading } from "./collector.ts";
import type { MeshStatusSource } from "../sources/mesh_status.ts";

/**
 * batman-adv lists a neighbour until it has been silent for 200 s; one not
 * heard in this long gives no link readings (as the demo's telemetry).
 */
export const FRESH_LINK_MS = 10_000;

/** Reads halo-mesh's status; see the module comment. */
export class MeshCollector implements Collector {
  readonly name = "mesh";

  constructor(private readonly source: MeshStatusSource) {}

  async collect(signal: AbortSignal): Promise<Collection> {
    const status = await this.source.status(signal);
    // halo-mesh is not running: nothing is known of the radio, so nothing is reported.
    if (!status) return { readings: [] };
    const readings: Reading[] = [];
    const fresh = status.links.filter((l) => l.last_seen_ms <= FRESH_LINK_MS);
    for (const link of fresh) {
      const labels = { neighbor: link.neighbor_name ?? link.neighbor_mac };
      if (link.signal_dbm !== undefined) {
        readings.push({ metric: "link.signal", value: link.signal_dbm, unit: "dBm", labels });
      }
      if (link.tq !== undefined) readings.push({ metric: "link.tq", value: link.tq, labels });
      if (link.throughput_kbps !== undefined) {
        readings.push({
          metric: "link.throughput",
          value: link.throughput_kbps * 1000,
          unit: "bit/s",
          labels,
        });
      }
    }
    readings.push({ metric: "mesh.neighbors", value: fresh.length, unit: "count" });
    if (status.radio?.noise_dbm !== undefined) {
      readings.push({ metric: "radio.noise", value: status.radio.noise_dbm, unit: "dBm" });
    }
    if (status.radio?.tx_power_dbm !== undefined) {
      readings.push({ metric: "radio.tx_power", value: status.radio.tx_power_dbm, unit: "dBm" });
    }
    const peers = status.overlay?.peers ?? [];
    for (const peer of peers) {
      const labels = { peer: peer.public_key };
      readings.push({ metric: "overlay.rx_bytes", value: peer.rx_bytes, unit: "B", labels });
      readings.push({ metric: "overlay.tx_bytes", value: peer.tx_bytes, unit: "B", labels });
      if (peer.latest_handshake_s !== undefined) {
        readings.push({
          metric: "overlay.handshake_age",
          value: peer.latest_handshake_s,
          unit: "s",
          labels,
        });
      }
    }
    const links = status.links.map(({ neighbor_name: _, ...link }) => link);
    return { readings, report: { links, overlay_peers: peers } };
  }
}
