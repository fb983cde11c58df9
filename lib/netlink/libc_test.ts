// The real socket against this machine's kernel: no root needed to read its tables.
import { assertEquals, assertRejects, assertThrows } from "../testing/assert.ts";
import { NetlinkChannel } from "./channel.ts";
import { NetlinkKernelError, NetlinkSocketError, NetlinkTimeoutError } from "./errors.ts";
import { openNetlinkSocket } from "./libc.ts";
import { encodeMessage, parseMessages } from "./message.ts";
import { Rtnetlink } from "./rtnetlink.ts";

const NETLINK_ROUTE = 0;

Deno.test("a real RTM_GETLINK dump lists the interfaces /sys/class/net lists", async () => {
  using rt = Rtnetlink.open();
  const links = await rt.dumpLinks();
  const sysfs = Array.from(Deno.readDirSync("/sys/class/net"), (e) => e.name);
  assertEquals(links.map((l) => l.name).sort(), sysfs.sort());
  for (const link of links) {
    const rx = Number(Deno.readTextFileSync(`/sys/class/net/${link.name}/ifindex`));
    assertEquals(link.index, rx, `${link.name}'s index`);
  }
});

Deno.test("openNetlinkSocket() names the call and the errno when the kernel refuses", () => {
  const error = assertThrows(
    () => openNetlinkSocket(9999),
    NetlinkSocketError,
    "socket(AF_NETLINK, SOCK_RAW, 9999) failed: EPROTONOSUPPORT (errno 93)",
  );
  assertEquals((error as NetlinkSocketError).code, "EPROTONOSUPPORT");
});

Deno.test("openNetlinkSocket() names a C library it cannot load", () => {
  assertThrows(
    () => openNetlinkSocket(NETLINK_ROUTE, { libraryPath: "/nonexistent/libc.so.6" }),
    NetlinkSocketError,
    "loading /nonexistent/libc.so.6 failed",
  );
});

Deno.test("the kernel's refusal of a real request carries its errno name", async () => {
  const channel = new NetlinkChannel(openNetlinkSocket(NETLINK_ROUTE));
  try {
    const ifinfomsg = new Uint8Array(16);
    new DataView(ifinfomsg.buffer).setInt32(4, 0x7fffffff, true);
    const error = await assertRejects(
      () => channel.request({ type: 18, body: ifinfomsg, what: "RTM_GETLINK of index 2^31-1" }),
      NetlinkKernelError,
      "the kernel refused RTM_GETLINK of index 2^31-1: ENODEV (errno 19)",
    );
    assertEquals((error as NetlinkKernelError).code, "ENODEV");
  } finally {
    channel.close();
  }
});

Deno.test("receive() gives up after its timeout when the kernel has nothing to say", async () => {
  const socket = openNetlinkSocket(NETLINK_ROUTE, { receiveTimeoutMs: 50 });
  try {
    await assertRejects(() => socket.receive(), NetlinkTimeoutError, "within 50 ms");
  } finally {
    socket.close();
  }
});

Deno.test("the event loop keeps running while receive() waits", async () => {
  const socket = openNetlinkSocket(NETLINK_ROUTE, { receiveTimeoutMs: 300 });
  const order: string[] = [];
  try {
    setTimeout(() => order.push("timer"), 0);
    // A wait that blocked the main thread would settle before any timer could run.
    await socket.receive().catch(() => order.push("timeout"));
    assertEquals(order, ["timer", "timeout"]);
  } finally {
    socket.close();
  }
});

Deno.test("close() during receive() ends the receive and the socket", async () => {
  const socket = openNetlinkSocket(NETLINK_ROUTE, { receiveTimeoutMs: 100 });
  const receiving = socket.receive();
  socket.close();
  await assertRejects(() => receiving, NetlinkSocketError, "closed meanwhile");
  assertThrows(() => socket.send(new Uint8Array(16)), NetlinkSocketError, "the socket is closed");
  socket.close();
});

Deno.test("receive() drops datagrams another process's socket sends it", async () => {
  const socket = openNetlinkSocket(NETLINK_ROUTE, { receiveTimeoutMs: 200 });
  const libc = Deno.dlopen(
    "libc.so.6",
    {
      socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
      sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
      close: { parameters: ["i32"], result: "i32" },
    } as const,
  );
  const intruder = libc.symbols.socket(16, 3, NETLINK_ROUTE);
  try {
    // The kernel's replies name our port id: that is where an intruder would send.
    socket.send(encodeMessage({ type: 18, flags: 0x301, seq: 1 }, new Uint8Array(16)));
    let replies = parseMessages(await socket.receive());
    const ourPortId = replies[0]!.pid;
    while (replies.every((m) => m.type !== 3)) replies = parseMessages(await socket.receive());
    const forged = encodeMessage({ type: 3, flags: 2, seq: 1 }, new Uint8Array(4));
    const to = new Uint8Array(12);
    new DataView(to.buffer).setUint16(0, 16, true);
    new DataView(to.buffer).setUint32(4, ourPortId, true);
    const sent = libc.symbols.sendto(intruder, forged, BigInt(forged.length), 0, to, 12);
    assertEquals(Number(sent), forged.length, "the forged datagram was delivered");
    await assertRejects(() => socket.receive(), NetlinkTimeoutError);
  } finally {
    libc.symbols.close(intruder);
    libc.close();
    socket.close();
  }
});
