/**
 * gpsd's JSON protocol (gpsd_json(5)), as much of it as the agent reads: one
 * object a line, told apart by `class`. Objects are loose (gpsd adds fields
 * between releases); a field that is present must make sense, and a missing
 * field means unknown. Numbers are bounded so a garbled line cannot place a
 * node off the globe.
 */
import { z } from "zod";

/** The command that starts the stream of JSON reports. */
export const GPSD_WATCH_COMMAND = '?WATCH={"enable":true,"json":true}\n';

const finite = () => z.number({ message: "must be a finite number" });
const nonNegative = () => finite().min(0);

/** `TPV`: time, position, velocity. `mode` 0 unknown, 1 no fix, 2 2D, 3 3D. */
export const gpsdTpvSchema = z.looseObject({
  class: z.literal("TPV"),
  device: z.string().optional(),
  mode: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)], {
    message: "expected 0, 1, 2 or 3",
  }),
  time: z.iso.datetime({ message: "expected an ISO 8601 UTC time" }).optional(),
  lat: finite().min(-90).max(90).optional(),
  lon: finite().min(-180).max(180).optional(),
  altHAE: finite().optional(),
  alt: finite().optional(),
  speed: nonNegative().optional(),
  track: finite().min(0).max(360).optional(),
  eph: nonNegative().optional(),
  epv: nonNegative().optional(),
});
export type GpsdTpv = z.infer<typeof gpsdTpvSchema>;

const satelliteSchema = z.looseObject({
  PRN: finite().optional(),
  used: z.boolean({ message: "expected true or false" }).optional(),
});

/** `SKY`: the satellites in view; newer gpsd adds the counts `nSat` and `uSat`. */
export const gpsdSkySchema = z.looseObject({
  class: z.literal("SKY"),
  device: z.string().optional(),
  nSat: z.number().int().min(0).optional(),
  uSat: z.number().int().min(0).optional(),
  satellites: z.array(satelliteSchema).max(1024).optional(),
});
export type GpsdSky = z.infer<typeof gpsdSkySchema>;

/** `VERSION`: the first object after connecting. */
export const gpsdVersionSchema = z.looseObject({
  class: z.literal("VERSION"),
  release: z.string(),
  proto_major: z.number().int(),
  proto_minor: z.number().int().optional(),
});

const deviceSchema = z.looseObject({
  path: z.string().optional(),
  driver: z.string().optional(),
  activated: z.union([z.string(), z.number()]).optional(),
});

/** `DEVICES`: the receivers gpsd knows. */
export const gpsdDevicesSchema = z.looseObject({
  class: z.literal("DEVICES"),
  devices: z.array(deviceSchema).max(64),
});

/** `DEVICE`: one receiver appeared, changed or went away (`activated: 0`). */
export const gpsdDeviceSchema = deviceSchema.extend({ class: z.literal("DEVICE") });

/** `WATCH`: gpsd's answer to the watch command. */
export const gpsdWatchSchema = z.looseObject({
  class: z.literal("WATCH"),
  enable: z.boolean().optional(),
  json: z.boolean().optional(),
});

/** `ERROR`: gpsd did not understand a command. */
export const gpsdErrorSchema = z.looseObject({
  class: z.literal("ERROR"),
  message: z.string(),
});

/** Every class the agent reads; others (`PPS`, `TOFF`, `ATT`, `GST`…) are ignored. */
export const gpsdMessageSchema = z.discriminatedUnion("class", [
  gpsdTpvSchema,
  gpsdSkySchema,
  gpsdVersionSchema,
  gpsdDevicesSchema,
  gpsdDeviceSchema,
  gpsdWatchSchema,
  gpsdErrorSchema,
]);
export type GpsdMessage = z.infer<typeof gpsdMessageSchema>;

/** The classes {@linkcode gpsdMessageSchema} knows. */
export const GPSD_CLASSES: ReadonlySet<string> = new Set([
  "TPV",
  "SKY",
  "VERSION",
  "DEVICES",
  "DEVICE",
  "WATCH",
  "ERROR",
]);
