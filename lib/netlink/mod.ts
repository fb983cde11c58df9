/**
 * Netlink from Deno through libc FFI: a socket that waits off the event loop
 * ({@linkcode openNetlinkSocket}), the wire format (message.ts), numbered
 * requests and multi-part dumps ({@linkcode NetlinkChannel}), and rtnetlink's
 * links, addresses and neighbours ({@linkcode Rtnetlink}). Every failure is a
 * {@linkcode NetlinkError}. Needs `--allow-ffi`; reading the tables needs no
 * capability.
 *
 * @example
 * ```ts
 * import { Rtnetlink } from "./mod.ts";
 * using rt = Rtnetlink.open({ receiveTimeoutMs: 2000 });
 * for (const link of await rt.dumpLinks()) {
 *   console.log(link.name, link.operState, link.stats?.rx_bytes);
 * }
 * ```
 */
export * from "./channel.ts";
export * from "./errors.ts";
export * from "./libc.ts";
export * from "./message.ts";
export * from "./rtnetlink.ts";
export * from "./rtnetlink_records.ts";
