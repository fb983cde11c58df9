/**
 * rtnetlink through libc FFI on this machine's own tables: one dump each of
 * links, addresses and neighbours, as the agent's network collector takes
 * them every interval, on one socket kept open. The figure depends on how
 * many interfaces and neighbours the machine has; run `ip -br link` beside it.
 *
 * Run: `deno bench --allow-ffi bench/netlink_bench.ts`
 */
import { Rtnetlink } from "../lib/netlink/rtnetlink.ts";

const rt = Rtnetlink.open();

Deno.bench("links + addresses + neighbours, one dump each", async () => {
  await rt.dumpLinks();
  await rt.dumpAddresses();
  await rt.dumpNeighbours();
});

Deno.bench("links only (RTM_GETLINK with IFLA_STATS64)", async () => {
  await rt.dumpLinks();
});
