import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { MAX_BODY_BYTES } from "../app.ts";
import { createHarness, type Harness } from "../testing/harness.ts";
import { TelemetryFastPath } from "./telemetry_fast_path.ts";

const LOOPBACK = { remoteAddr: { hostname: "127.0.0.1" } };

async function enroll(h: Harness) {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: { join_token: await h.joinToken(), hardware: { serial: "FAST0001" }, hostname: "n1" },
  });
  const { node_id, agent_token } = await res.json();
  return { nodeId: node_id as string, token: agent_token as string };
}

/** A batch request as an agent sends it; `edit` changes the request before it is built. */
function batchRequest(
  agent: { nodeId: string; token: string },
  batch: Record<string, unknown>,
  edit: {
    path?: string;
    headers?: Record<string, string | null>;
    /** The body as text; `<node>` stands for the agent's node id. */
    text?: string;
    /** The body's bytes from `edit.text` (or the batch) with each `BAD` replaced by these. */
    bad?: number[];
  } = {},
): Request {
  const text = edit.text?.replaceAll("<node>", agent.nodeId) ??
    JSON.stringify({ node_id: agent.nodeId, epoch: "e1", ...batch });
  const body = edit.bad === undefined ? new TextEncoder().encode(text) : new Uint8Array(
    text.split("BAD").flatMap((part, i) => [
      ...(i > 0 ? edit.bad! : []),
      ...new TextEncoder().encode(part),
    ]),
  );
  const headers = new Headers({
    authorization: `Bearer ${agent.token}`,
    "content-type": "application/json",
    "content-length": String(body.length),
  });
  for (const [name, value] of Object.entries(edit.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return new Request(`http://localhost${edit.path ?? "/v1/telemetry"}`, {
    method: "POST",
    headers,
    body,
  });
}

/** Status, headers and body with the harness's own node id and clock reading made neutral. */
async function answer(res: Response, nodeId: string) {
  const text = await res.text();
  return {
    status: res.status,
    headers: [...res.headers].filter(([name]) => name !== "content-length"),
    body: text.replaceAll(nodeId, "<node>"),
  };
}

Deno.test("telemetry fast path", async (t) => {
  // Two gateways with the same clock: one answers through the fast path, the other only
  // through the app; every request must get the same answer from both.
  await using fast = await createHarness();
  await using plain = await createHarness();
  const fastAgent = await enroll(fast);
  const plainAgent = await enroll(plain);
  const path = await TelemetryFastPath.create(fast.deps, fast.app, MAX_BODY_BYTES);
  const now = fast.clock.now();
  assertEquals(plain.clock.now(), now);
  const sample = (value: number, extra: Record<string, unknown> = {}) => ({
    metric: "soc.temp",
    ts: now - 1000,
    value,
    unit: "°C",
    ...extra,
  });

  const cases: [string, Record<string, unknown>, Parameters<typeof batchRequest>[2]?][] = [
    ["a new batch", { batch_seq: 1, samples: [sample(41.5), sample(42, { ts: now })] }],
    ["its retry", { batch_seq: 1, samples: [sample(41.5), sample(42, { ts: now })] }],
    ["its key with another body (409)", { batch_seq: 1, samples: [sample(40)] }],
    ["a sample from the future (400)", {
      batch_seq: 2,
      samples: [sample(1, { ts: now + 3600_000 })],
    }],
    ["another unit for the series (400)", { batch_seq: 3, samples: [sample(1, { unit: "%" })] }],
    ["an unknown unit (400)", { batch_seq: 4, samples: [sample(1, { unit: "furlong" })] }],
    ["another node's batch (403)", {
      batch_seq: 5,
      node_id: "n-000000000000",
      samples: [sample(1)],
    }],
    ["a body that is no JSON (400)", {}, { text: '{"node_id": ' }],
    // What the strict reading of every JSON body refuses, the fast path leaves to it.
    ["a batch field given twice (400)", { batch_seq: 12, samples: [sample(1)] }, {
      text: `{"node_id":"<node>","epoch":"e1","epoch":"e2","batch_seq":12,` +
        `"samples":[{"metric":"soc.temp","ts":${now - 1000},"value":1}]}`,
    }],
    ["a sample field given twice (400)", { batch_seq: 19, samples: [] }, {
      text: `{"node_id":"<node>","epoch":"e1","batch_seq":19,"samples":[` +
        `{"metric":"soc.temp","ts":${now - 1000},"value":1,"value":2}]}`,
    }],
    ["a label name given twice (400)", {
      batch_seq: 13,
      samples: [sample(1, { labels: { site: "north" } })],
    }, {
      text: `{"node_id":"<node>","epoch":"e1","batch_seq":13,"samples":[` +
        `{"metric":"soc.temp","ts":${now - 1000},"value":1,"labels":{"site":"n","site":"s"}}]}`,
    }],
    ["a label name given twice, once escaped (400)", { batch_seq: 14, samples: [] }, {
      text: `{"node_id":"<node>","epoch":"e1","batch_seq":14,"samples":[` +
        `{"metric":"soc.temp","ts":${
          now - 1000
        },"value":1,"labels":{"site":"n","sit\\u0065":"s"}}]}`,
    }],
    ["a label value that is not UTF-8 (400)", {
      batch_seq: 15,
      samples: [sample(1, { labels: { site: "noBADrth" } })],
    }, { bad: [0xff] }],
    ["a unit that is not UTF-8 (400)", { batch_seq: 16, samples: [sample(1, { unit: "BADC" })] }, {
      bad: [0xc2],
    }],
    ["a label value with a control character (400)", {
      batch_seq: 17,
      samples: [sample(1, { labels: { site: "north\u0085" } })],
    }],
    ["a sample nested 5,000 deep (400)", { batch_seq: 18, samples: [] }, {
      text: `{"node_id":"<node>","epoch":"e1","batch_seq":18,"samples":[` +
        `{"metric":"soc.temp","ts":${now - 1000},"value":${"[".repeat(5000)}${"]".repeat(5000)}}]}`,
    }],
    ["another media type (415)", { batch_seq: 6, samples: [] }, {
      headers: { "content-type": "text/plain" },
    }],
    ["a cross-site origin (403)", { batch_seq: 7, samples: [sample(2)] }, {
      headers: { origin: "https://evil.example" },
    }],
    ["no content length", { batch_seq: 8, samples: [sample(3)] }, {
      headers: { "content-length": null },
    }],
    ["a query string", { batch_seq: 9, samples: [sample(4)] }, { path: "/v1/telemetry?x=1" }],
    ["an unknown agent token (401)", { batch_seq: 10, samples: [sample(5)] }, {
      headers: { authorization: "Bearer halo_agent_unknown" },
    }],
    ["a batch after the others", { batch_seq: 11, samples: [sample(43)] }],
  ];
  for (const [name, batch, edit] of cases) {
    await t.step(`${name}: answered as the app answers it`, async () => {
      const got = await answer(
        await fast.handler(batchRequest(fastAgent, batch, edit), LOOPBACK),
        fastAgent.nodeId,
      );
      const want = await answer(
        await plain.app.fetch(batchRequest(plainAgent, batch, edit), LOOPBACK),
        plainAgent.nodeId,
      );
      assertEquals(got, want);
      const status = /\((\d{3})\)/.exec(name)?.[1];
      if (status) assertEquals(got.status, Number(status), got.body);
    });
  }

  await t.step("the stored samples are the same either way", () => {
    const rows = (h: Harness) =>
      h.deps.telemetry.head.sampleCount + " " +
      JSON.stringify(h.deps.db.prepare("SELECT count(*) AS n FROM telemetry_log").get());
    assertEquals(rows(fast), rows(plain));
  });

  await t.step("it answers a known agent's batch itself and leaves the rest to the app", () => {
    const handled = (edit?: Parameters<typeof batchRequest>[2]) => {
      const res = path.handle(
        batchRequest(fastAgent, { batch_seq: 20, samples: [sample(1)] }, edit),
        LOOPBACK,
      );
      res?.then((r) => r.body?.cancel());
      return res !== null;
    };
    assert(handled());
    assert(!handled({ path: "/v1/telemetry/latest" }));
    assert(!handled({ headers: { "content-length": String(MAX_BODY_BYTES + 1) } }));
    assert(!handled({ headers: { authorization: `Bearer ${fastAgent.token.slice(0, -1)}x` } }));
  });

  await t.step("a revoked token is refused at once", async () => {
    fast.deps.db.prepare("UPDATE agent_tokens SET revoked_at = ? WHERE node_id = ?").run(
      now,
      fastAgent.nodeId,
    );
    const res = await fast.handler(
      batchRequest(fastAgent, { batch_seq: 30, samples: [sample(1)] }),
      LOOPBACK,
    );
    assertEquals(res.status, 401);
    await res.body?.cancel();
  });
});
