/**
 * `mesh.sock`, the HTTP-over-Unix-socket API halo-mesh serves in
 * `$HALO_RUN` (NODE-CONTRACT.md, "Local sockets"): what its status says of
 * the radio, batman-adv's links, the gateway's address and the WireGuard
 * overlay. halo-agent reads it for its reports and telemetry; halo-field
 * and haloctl will too.
 */
import { z } from "zod";
import { cidrSchema, ipSchema, singleLineText, wgPublicKeySchema } from "./common.ts";
import { ifnameSchema, linkReportSchema, overlayPeerReportSchema } from "./report.ts";

/** The socket's file name in `$HALO_RUN`. */
export const MESH_SOCKET_NAME = "mesh.sock";
/** `GET` on the socket: a {@linkcode MeshStatus}. */
export const MESH_STATUS_PATH = "/v1/status";

/** The mesh radio (802.11ah on a Morse Micro board). */
export const meshRadioSchema = z.strictObject({
  iface: ifnameSchema,
  up: z.boolean(),
  channel: z.number().int().min(0).max(255).optional().describe("S1G channel number"),
  frequency_mhz: z.number().min(1).max(7200).optional().describe("Centre frequency"),
  bandwidth_mhz: z.number().min(1).max(160).optional(),
  tx_power_dbm: z.number().min(-30).max(40).optional(),
  noise_dbm: z.number().min(-150).max(0).optional(),
});

/** A batman-adv neighbour as the report lists it, with the node's name when halo-mesh knows it. */
export const meshLinkSchema = linkReportSchema.extend({
  neighbor_name: singleLineText().min(1).max(64).optional()
    .describe("The neighbour's hostname, from the gateway's node list"),
});

/** This node's WireGuard overlay interface and its peers. */
export const meshOverlaySchema = z.strictObject({
  iface: ifnameSchema,
  public_key: wgPublicKeySchema,
  address: cidrSchema.nullable().describe("null until the gateway has given one"),
  peers: z.array(overlayPeerReportSchema).max(256),
});

/** `GET /v1/status` on mesh.sock. */
export const meshStatusSchema = z.strictObject({
  mesh_iface: ifnameSchema.nullable().describe("batman-adv's soft interface, e.g. bat0"),
  radio: meshRadioSchema.nullable().describe("null when no radio is configured"),
  links: z.array(meshLinkSchema).max(256),
  gateway: z.strictObject({
    underlay_address: ipSchema.nullable().describe("Learnt by DHCP or batman-adv's gateway list"),
    overlay_address: ipSchema.nullable().describe("Once the overlay is up"),
  }),
  overlay: meshOverlaySchema.nullable().describe("null before enrollment"),
});
export type MeshStatus = z.output<typeof meshStatusSchema>;
export type MeshStatusInput = z.input<typeof meshStatusSchema>;
