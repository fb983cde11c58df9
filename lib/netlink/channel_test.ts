import { assertEquals, assertRejects } from "../testing/assert.ts";
import { FakeNetlinkSocket } from "../testing/fake_netlink.ts";
import { doneMessage, errorMessage, linkMessage } from "../testing/netlink_fixtures.ts";
import { NetlinkChannel } from "./channel.ts";
import {
  NetlinkError,
  NetlinkKernelError,
  NetlinkProtocolError,
  NetlinkTimeoutError,
} from "./errors.ts";
import { concatBytes, type NetlinkMessage, NLM_F_DUMP_INTR, parseMessages } from "./message.ts";

const GETLINK = { type: 18, body: new Uint8Array(16), what: "RTM_GETLINK dump" };

/** The interface index of each RTM_NEWLINK message. */
function indexes(messages: NetlinkMessage[]): number[] {
  return messages.map((m) =>
    new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(4, true)
  );
}

function link(seq: number, index: number): Uint8Array {
  return linkMessage(seq, { index, name: `eth${index}`, mtu: 1500 });
}

Deno.test("dump() sends a numbered NLM_F_DUMP request", async () => {
  const socket = new FakeNetlinkSocket((r) => [doneMessage(r.seq)]);
  await new NetlinkChannel(socket).dump(GETLINK);
  const [request] = parseMessages(socket.sent[0]!);
  assertEquals([request!.type, request!.flags, request!.seq], [18, 0x301, 1]);
  assertEquals(request!.payload.length, 16);
});

Deno.test("dump() gathers a dump that spans several datagrams up to NLMSG_DONE", async () => {
  const socket = new FakeNetlinkSocket((r) => [
    concatBytes(link(r.seq, 1), link(r.seq, 2)),
    link(r.seq, 3),
    doneMessage(r.seq),
  ]);
  assertEquals(indexes(await new NetlinkChannel(socket).dump(GETLINK)), [1, 2, 3]);
});

Deno.test("dump() without NLMSG_DONE ends in a timeout, not a hang", async () => {
  const socket = new FakeNetlinkSocket((r) => [link(r.seq, 1)]);
  await assertRejects(() => new NetlinkChannel(socket).dump(GETLINK), NetlinkTimeoutError);
});

Deno.test("the kernel's refusal becomes a NetlinkKernelError naming errno and request", async () => {
  const socket = new FakeNetlinkSocket((r) => [errorMessage(r.seq, 95, "Dump not supported")]);
  const error = await assertRejects(
    () => new NetlinkChannel(socket).dump(GETLINK),
    NetlinkKernelError,
    "the kernel refused RTM_GETLINK dump: EOPNOTSUPP (errno 95) (Dump not supported)",
  );
  assertEquals((error as NetlinkKernelError).code, "EOPNOTSUPP");
});

Deno.test("a dump that fails part-way (NLMSG_DONE with an errno) is an error", async () => {
  const socket = new FakeNetlinkSocket((r) => [link(r.seq, 1), doneMessage(r.seq, -16)]);
  await assertRejects(
    () => new NetlinkChannel(socket).dump(GETLINK),
    NetlinkKernelError,
    "EBUSY (errno 16)",
  );
});

Deno.test("a reply with another request's number is a protocol error", async () => {
  const socket = new FakeNetlinkSocket((r) => [link(r.seq + 5, 1), doneMessage(r.seq)]);
  await assertRejects(
    () => new NetlinkChannel(socket).dump(GETLINK),
    NetlinkProtocolError,
    "reply numbered 6 to request 1 (RTM_GETLINK dump)",
  );
});

Deno.test("late replies to an abandoned request are skipped by the next one", async () => {
  let answer = false;
  const socket = new FakeNetlinkSocket((r) => answer ? [link(r.seq, 9), doneMessage(r.seq)] : []);
  const channel = new NetlinkChannel(socket);
  await assertRejects(() => channel.dump(GETLINK), NetlinkTimeoutError);
  // Request 1's answer arrives after it was given up.
  socket.inject(concatBytes(link(1, 7), doneMessage(1)));
  answer = true;
  assertEquals(indexes(await channel.dump(GETLINK)), [9]);
});

Deno.test("a dump marked inconsistent (NLM_F_DUMP_INTR) is asked again", async (t) => {
  const interrupted = (seq: number) => {
    const bytes = link(seq, 1);
    new DataView(bytes.buffer).setUint16(6, 2 | NLM_F_DUMP_INTR, true);
    return bytes;
  };
  await t.step("and the consistent second answer is returned", async () => {
    const socket = new FakeNetlinkSocket((r) =>
      r.seq === 1 ? [interrupted(r.seq), doneMessage(r.seq)] : [link(r.seq, 2), doneMessage(r.seq)]
    );
    assertEquals(indexes(await new NetlinkChannel(socket).dump(GETLINK)), [2]);
    assertEquals(socket.sent.length, 2);
  });
  await t.step("up to three times, then it says so", async () => {
    const socket = new FakeNetlinkSocket((r) => [interrupted(r.seq), doneMessage(r.seq)]);
    await assertRejects(
      () => new NetlinkChannel(socket).dump(GETLINK),
      NetlinkError,
      "changed during each of 3 dumps",
    );
    assertEquals(socket.sent.length, 3);
  });
});

Deno.test("request() returns the replies before the kernel's ack", async () => {
  const socket = new FakeNetlinkSocket((
    r,
  ) => [concatBytes(link(r.seq, 4), errorMessage(r.seq, 0))]);
  const replies = await new NetlinkChannel(socket).request({ ...GETLINK, what: "RTM_GETLINK" });
  assertEquals(indexes(replies), [4]);
  assertEquals(parseMessages(socket.sent[0]!)[0]!.flags, 0x05, "NLM_F_REQUEST | NLM_F_ACK");
});

Deno.test("requests made at once take turns, so their replies never mix", async () => {
  const socket = new FakeNetlinkSocket((r) => [link(r.seq, r.seq * 10), doneMessage(r.seq)]);
  const channel = new NetlinkChannel(socket);
  const [a, b, c] = await Promise.all([
    channel.dump(GETLINK),
    channel.dump(GETLINK),
    channel.dump(GETLINK),
  ]);
  assertEquals([indexes(a), indexes(b), indexes(c)], [[10], [20], [30]]);
});
