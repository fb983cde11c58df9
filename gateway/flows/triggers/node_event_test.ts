import type { HaloEvent } from "../../../lib/schemas/events.ts";
import { nodeEventTriggerSchema } from "../../../lib/schemas/flows.ts";
import { assertEquals } from "../../../lib/testing/assert.ts";
import { matchNodeEvent, type NodeEventTrigger } from "./node_event.ts";

const NODE_A = "n-00000000000a";
const NODE_B = "n-00000000000b";
const NODE_C = "n-00000000000c";

function trigger(flowId: number, config: Record<string, unknown>): NodeEventTrigger {
  return { flowId, version: 1, stepId: "on", config: nodeEventTriggerSchema.parse(config) };
}

function event(type: string, nodeId: string | null, data: Record<string, unknown> = {}): HaloEvent {
  return {
    id: 1,
    ts: "2026-11-23T12:00:00.000Z",
    type,
    node_id: nodeId,
    node_name: null,
    message: type,
    data,
  };
}

const flowsFor = (triggers: NodeEventTrigger[], e: HaloEvent) =>
  matchNodeEvent(triggers, e).map((m) => `${m.flowId}:${m.nodeId}`);

Deno.test("node_event fires the flows watching the event's type and node", async (t) => {
  const triggers = [
    trigger(1, { events: ["offline"] }),
    trigger(2, { events: ["offline", "online"], nodes: [NODE_A] }),
    trigger(3, { events: ["rebooted", "address_changed"], nodes: [NODE_B, NODE_C] }),
  ];

  await t.step("by type: an offline node starts the flows watching offline", () => {
    assertEquals(flowsFor(triggers, event("offline", NODE_A)), [`1:${NODE_A}`, `2:${NODE_A}`]);
    assertEquals(flowsFor(triggers, event("online", NODE_A)), [`2:${NODE_A}`]);
    assertEquals(flowsFor(triggers, event("enrolled", NODE_A)), []);
  });

  await t.step("by node: a list of nodes watches only those", () => {
    assertEquals(flowsFor(triggers, event("offline", NODE_B)), [`1:${NODE_B}`]);
    assertEquals(flowsFor(triggers, event("rebooted", NODE_C)), [`3:${NODE_C}`]);
    assertEquals(flowsFor(triggers, event("rebooted", NODE_A)), []);
  });

  await t.step("the match carries the flow's version and trigger step", () => {
    assertEquals(matchNodeEvent([{ ...triggers[0]!, version: 7 }], event("offline", NODE_A)), [
      { flowId: 1, version: 7, stepId: "on", nodeId: NODE_A },
    ]);
  });

  await t.step("events of other kinds, or naming no node, start nothing", () => {
    assertEquals(flowsFor(triggers, event("alert_raised", NODE_A)), []);
    assertEquals(flowsFor(triggers, event("offline", null)), []);
  });
});

Deno.test("node_event matches mesh peer events by the reporting node or the peer", async (t) => {
  const triggers = [
    trigger(1, { events: ["peer_lost"] }),
    trigger(2, { events: ["peer_lost", "peer_recovered"], nodes: [NODE_B] }),
    trigger(3, { events: ["peer_recovered"], nodes: [NODE_A] }),
  ];

  await t.step("scope all: the node that saw its peer go", () => {
    assertEquals(flowsFor(triggers, event("peer_lost", NODE_C)), [`1:${NODE_C}`]);
  });

  await t.step("a scope naming the peer matches, and the match names the peer", () => {
    const lost = event("peer_lost", NODE_A, { peer_node_id: NODE_B });
    assertEquals(flowsFor(triggers, lost), [`1:${NODE_A}`, `2:${NODE_B}`]);
    const back = event("peer_recovered", NODE_A, { peer_node_id: NODE_B });
    assertEquals(flowsFor(triggers, back), [`2:${NODE_B}`, `3:${NODE_A}`]);
  });

  await t.step("a peer named outside a peer event is not looked at", () => {
    assertEquals(
      flowsFor([trigger(4, { events: ["offline"], nodes: [NODE_B] })], {
        ...event("offline", NODE_A, { peer_node_id: NODE_B }),
      }),
      [],
    );
  });
});
