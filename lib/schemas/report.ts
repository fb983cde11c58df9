import { z } from "zod";
import {
  cidrSchema,
  ipSchema,
  keyedRecord,
  macSchema,
  singleLineText,
  wgPublicKeySchema,
} from "./common.ts";

export const ifnameSchema = z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, {
  message: "expected a Linux interface name (1-15 characters)",
});

/** Interface kinds of the canonical device model. */
export const INTERFACE_KINDS = ["eth", "halow", "batman", "wireguard", "wifi", "other"] as const;

export const interfaceReportSchema = z.strictObject({
  name: ifnameSchema,
  kind: z.enum(INTERFACE_KINDS),
  mac: macSchema.optional(),
  addresses: z.array(cidrSchema).max(32).default([]),
  up: z.boolean(),
  mtu: z.number().int().min(68).max(65535).optional(),
});

export const linkReportSchema = z.strictObject({
  iface: ifnameSchema.describe("Local interface the neighbour is heard on"),
  neighbor_mac: macSchema.describe("Neighbour's originator MAC (batman-adv)"),
  tq: z.number().int().min(0).max(255).optional().describe("batman-adv transmit quality 0-255"),
  throughput_kbps: z.number().min(0).max(10_000_000).optional(),
  signal_dbm: z.number().min(-150).max(0).optional(),
  last_seen_ms: z.number().int().min(0).max(86_400_000).describe("Age of the last frame"),
});

export const overlayPeerReportSchema = z.strictObject({
  public_key: wgPublicKeySchema,
  endpoint: singleLineText().max(64).optional(),
  allowed_ips: z.array(cidrSchema).max(64).default([]),
  latest_handshake_s: z.number().int().min(0).optional().describe(
    "Seconds since the last handshake",
  ),
  rx_bytes: z.number().int().min(0).default(0),
  tx_bytes: z.number().int().min(0).default(0),
});

export const clientReportSchema = z.strictObject({
  mac: macSchema,
  ip: ipSchema.optional(),
  hostname: singleLineText().max(64).optional(),
  iface: ifnameSchema,
});

export const sensorReportSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, {
    message: "use 1-40 lowercase letters, digits, '_' or '-'",
  }),
  kind: singleLineText().min(1).max(40).describe("Driver or template, e.g. bme280, gps, ina219"),
  bus: singleLineText().max(40).optional().describe("e.g. i2c-1"),
  address: singleLineText().max(16).optional().describe("e.g. 0x76"),
});

/** `POST /v1/nodes/{id}/report`: a node's periodic status. */
export const nodeReportSchema = z.strictObject({
  boot_id: z.uuid({ message: "expected the kernel boot id (a UUID)" }),
  uptime_s: z.number().min(0).max(1e10),
  hostname: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/).optional(),
  versions: keyedRecord(
    z.string().regex(/^[a-z0-9_-]{1,32}$/),
    singleLineText().min(1).max(64),
  ).refine((v) => Object.keys(v).length <= 16, { message: "at most 16 entries" })
    .meta({ maxProperties: 16 }).default({}),
  interfaces: z.array(interfaceReportSchema).max(64).default([]),
  links: z.array(linkReportSchema).max(256).default([]),
  overlay_peers: z.array(overlayPeerReportSchema).max(256).default([]),
  clients: z.array(clientReportSchema).max(1024).default([]),
  sensors: z.array(sensorReportSchema).max(64).default([]),
}).superRefine((report, ctx) => {
  const seen = new Set<string>();
  report.interfaces.forEach((iface, i) => {
    if (seen.has(iface.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["interfaces", i, "name"],
        message: `interface "${iface.name}" is listed twice`,
      });
    }
    seen.add(iface.name);
  });
});
export type NodeReport = z.infer<typeof nodeReportSchema>;
export type NodeReportInput = z.input<typeof nodeReportSchema>;

export const reportResponseSchema = z.object({
  gateway_time_ms: z.number().int().describe("The gateway's clock; nodes without RTC set theirs"),
  report_interval_s: z.number().int(),
  events: z.array(z.string()).describe("Lifecycle events this report caused"),
});
