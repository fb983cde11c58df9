import { z } from "zod";
import { macSchema } from "./common.ts";

/**
 * One entry of `batctl meshif <bat> transtable_local_json` (batctl 2021.1 and
 * later; keys are batman-adv's netlink attribute names, see batctl's
 * genl_json.c): a MAC this node announces to the mesh — its own interfaces
 * (`nopurge`) and the clients bridged onto the mesh through it.
 */
export const transtableLocalEntrySchema = z.object({
  tt_address: macSchema,
  tt_vid: z.number().int().min(-1).max(4095).describe("VLAN id; -1 untagged"),
  tt_flags: z.object({
    del: z.boolean(),
    nopurge: z.boolean().describe("One of the node's own addresses, never timed out"),
    wifi: z.boolean(),
  }),
  last_seen_msecs: z.number().int().min(0).optional(),
});

/** The whole `transtable_local_json` answer. */
export const transtableLocalSchema = z.array(transtableLocalEntrySchema).max(65536);
export type TranstableLocalEntry = z.infer<typeof transtableLocalEntrySchema>;
