/**
 * Run by tests/network_collector_test.ts inside a network namespace with only
 * the permission rtnetlink needs (`ip netns exec NS deno run --allow-ffi …`):
 * one collection of the network collector, printed as JSON. Its interfaces
 * are veths and loopback, whose kind the link itself names, so no /sys file
 * is read; one that is would fail the probe.
 */
import { systemClock } from "../../lib/clock.ts";
import type { KernelFiles } from "../../lib/kernel_files.ts";
import { Rtnetlink } from "../../lib/netlink/rtnetlink.ts";
import { NetworkCollector } from "../../agent/collectors/network.ts";

const noSysReads: KernelFiles = {
  read: (path) => Promise.reject(new Error(`unexpected read of ${path}`)),
  list: (dir) => Promise.reject(new Error(`unexpected listing of ${dir}`)),
};

using rt = Rtnetlink.open();
const collector = new NetworkCollector({ tables: rt, files: noSysReads, clock: systemClock });
console.log(JSON.stringify(await collector.collect(new AbortController().signal)));
