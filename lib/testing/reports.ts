import type { NodeReportInput } from "../schemas/report.ts";

/** A plausible node report for tests; override any field. */
export function sampleReport(overrides: Partial<NodeReportInput> = {}): NodeReportInput {
  return {
    boot_id: "6f1c1f9e-7a3b-4d2e-9c1a-2b3c4d5e6f70",
    uptime_s: 120,
    hostname: "halo-node",
    versions: { "halo-agent": "dev", "halo-mesh": "dev", kernel: "6.6.31-v8" },
    interfaces: [
      {
        name: "eth0",
        kind: "eth",
        mac: "02:00:00:00:00:01",
        addresses: ["198.18.0.10/24"],
        up: true,
      },
    ],
    links: [],
    overlay_peers: [],
    clients: [],
    sensors: [],
    ...overrides,
  };
}
