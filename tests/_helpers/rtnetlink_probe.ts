/**
 * Run by tests/rtnetlink_kernel_test.ts inside a network namespace with only
 * the permission lib/netlink needs (`ip netns exec NS deno run --allow-ffi …`):
 * one dump each of links, addresses and neighbours, printed as JSON with the
 * time the three took.
 */
import { Rtnetlink } from "../../lib/netlink/rtnetlink.ts";

using rt = Rtnetlink.open();
const started = performance.now();
const links = await rt.dumpLinks();
const addresses = await rt.dumpAddresses();
const neighbours = await rt.dumpNeighbours();
const dumpMs = performance.now() - started;
console.log(JSON.stringify({ links, addresses, neighbours, dumpMs }));
