import { assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import { MESH_STATUS_PATH, type MeshStatusInput } from "../../lib/schemas/mesh_socket.ts";
import { MeshSocketError, meshSocketStatus } from "./mesh_status.ts";

const STATUS: MeshStatusInput = {
  mesh_iface: "bat0",
  radio: { iface: "wlan1", up: true, channel: 44, frequency_mhz: 924, bandwidth_mhz: 8 },
  links: [{
    iface: "wlan1",
    neighbor_mac: "02:48:4c:00:02:02",
    neighbor_name: "halo-relay-01",
    tq: 231,
    throughput_kbps: 6200,
    signal_dbm: -61,
    last_seen_ms: 310,
  }],
  gateway: { underlay_address: "198.18.8.1", overlay_address: "fd48:414c:4f00::1" },
  overlay: {
    iface: "wg0",
    public_key: "5DRThIVJEMfDhTwirhm61w6AtpyyHvLxuBD5S6fSbl0=",
    address: "fd48:414c:4f00::b/64",
    peers: [{
      public_key: "5DRThIVJEMfDhTwirhm61w6AtpyyHvLxuBD5S6fSbl0=",
      endpoint: "198.18.8.1:51820",
      allowed_ips: ["fd48:414c:4f00::/64"],
      latest_handshake_s: 41,
      rx_bytes: 1200,
      tx_bytes: 5400,
    }],
  },
};

/** A real HTTP server on a Unix socket in a scratch directory, answering `handler`. */
async function meshSocket(handler: (request: Request) => Response) {
  const dir = await Deno.makeTempDir({ prefix: "halo-mesh-sock-" });
  const path = `${dir}/mesh.sock`;
  const requests: string[] = [];
  const server = Deno.serve({ path, transport: "unix", onListen() {} }, (request) => {
    requests.push(`${request.method} ${new URL(request.url).pathname}`);
    return handler(request);
  });
  return {
    path,
    requests,
    server,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const signal = new AbortController().signal;

Deno.test("meshSocketStatus() reads halo-mesh's status over its Unix socket", async () => {
  await using socket = await meshSocket(() => Response.json(STATUS));
  using source = meshSocketStatus(socket.path);
  const status = await source.status(signal);
  assertEquals(status?.links[0]?.neighbor_name, "halo-relay-01");
  assertEquals(status?.overlay?.peers[0]?.latest_handshake_s, 41);
  assertEquals(status?.gateway.underlay_address, "198.18.8.1");
  assertEquals(socket.requests, [`GET ${MESH_STATUS_PATH}`]);
});

Deno.test("meshSocketStatus() answers null while halo-mesh is not running", async (t) => {
  await t.step("no socket file", async () => {
    const dir = await Deno.makeTempDir({ prefix: "halo-mesh-sock-" });
    try {
      using source = meshSocketStatus(`${dir}/mesh.sock`);
      assertEquals(await source.status(signal), null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("a socket file nobody listens on", async () => {
    const dir = await Deno.makeTempDir({ prefix: "halo-mesh-sock-" });
    try {
      const path = `${dir}/mesh.sock`;
      // A listener that went away without removing its file, as after a crash.
      Deno.listen({ path, transport: "unix" }).close();
      using source = meshSocketStatus(path);
      assertEquals(await source.status(signal), null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("meshSocketStatus() refuses an answer that is no valid status, naming the fields", async (t) => {
  const cases: [string, () => Response, string][] = [
    [
      "an error status",
      () => new Response("radio busy", { status: 503 }),
      "answered 503: radio busy",
    ],
    ["not JSON", () => new Response("<html>"), "answered no JSON"],
    [
      "bad fields",
      () =>
        Response.json({
          ...STATUS,
          links: [{ ...STATUS.links[0], tq: 300 }],
          gateway: { underlay_address: "the gateway", overlay_address: null },
        }),
      "answered an invalid status: links.0.tq: Too big: expected number to be <=255; " +
      "gateway.underlay_address: expected an IPv4 or IPv6 address",
    ],
  ];
  for (const [what, answer, message] of cases) {
    await t.step(what, async () => {
      await using socket = await meshSocket(answer);
      using source = meshSocketStatus(socket.path);
      await assertRejects(() => source.status(signal), MeshSocketError, message);
    });
  }
});
