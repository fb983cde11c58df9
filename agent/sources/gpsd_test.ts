/**
 * The gpsd client against a scripted gpsd on loopback: real TCP, lines the
 * test chooses (including broken ones). tests/gpsd_gpsfake_test.ts runs it
 * against Debian's real gpsd.
 */
import { createLogger } from "../../lib/log.ts";
import { assert, assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { GPSD_WATCH_COMMAND } from "../../lib/schemas/gpsd.ts";
import { GpsdClient } from "./gpsd.ts";

const encoder = new TextEncoder();

/** One client connection to the scripted gpsd. */
interface Session {
  /** Resolves with what the client sent once it holds `text`. */
  received(text: string): Promise<string>;
  send(...lines: (string | object)[]): Promise<void>;
  /** Resolves with all the client sent once the client closes the connection. */
  ended(): Promise<string>;
  close(): void;
}

/** A gpsd stand-in on a free loopback port; each connection is handed to the test. */
function scriptedGpsd() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const waiting: ((session: Session) => void)[] = [];
  const ready: Session[] = [];
  const conns = new Set<Deno.Conn>();
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const session = wrap(conn, () => conns.delete(conn));
      const taker = waiting.shift();
      if (taker) taker(session);
      else ready.push(session);
    }
  })();
  return {
    port: listener.addr.port,
    /** The next connection the client makes. */
    next(): Promise<Session> {
      const session = ready.shift();
      return session ? Promise.resolve(session) : new Promise((resolve) => waiting.push(resolve));
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) conn.close();
      await accepting;
    },
  };
}

function wrap(conn: Deno.Conn, forget: () => void): Session {
  let text = "";
  let closed = false;
  const reading = (async () => {
    const buffer = new Uint8Array(1024);
    try {
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        text += new TextDecoder().decode(buffer.subarray(0, n));
      }
    } catch {
      // Closed by the test.
    }
  })();
  return {
    async received(expected) {
      for (let turn = 0; turn < 500 && !text.includes(expected); turn++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return text;
    },
    async ended() {
      await reading;
      return text;
    },
    async send(...lines) {
      const body = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l)) + "\r\n");
      const bytes = encoder.encode(body.join(""));
      for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
    },
    close() {
      if (closed) return;
      closed = true;
      forget();
      conn.close();
    },
  };
}

/** Waits, a few milliseconds at a time, for the client to get there; the bound only stops a hang. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 500 && !condition(); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert(condition(), `never happened: ${what}`);
}

function logSink() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    log: createLogger({
      component: "gps",
      level: "debug",
      write: (l) => lines.push(JSON.parse(l)),
    }),
  };
}

const HELLO = [
  { class: "VERSION", release: "3.22", rev: "3.22", proto_major: 3, proto_minor: 14 },
  { class: "DEVICES", devices: [{ class: "DEVICE", path: "/dev/ttyAMA0", driver: "NMEA0183" }] },
  { class: "WATCH", enable: true, json: true, nmea: false },
];

Deno.test("GpsdClient watches gpsd and reports its TPV and SKY as the fix", async () => {
  await using gpsd = scriptedGpsd();
  const client = new GpsdClient({ port: gpsd.port, log: logSink().log });
  try {
    const session = await gpsd.next();
    assertEquals(await session.received("\n"), GPSD_WATCH_COMMAND);
    assertEquals(client.latest(), null, "nothing before the first TPV");
    await session.send(...HELLO, {
      class: "SKY",
      device: "/dev/ttyAMA0",
      satellites: [
        { PRN: 4, el: 62, az: 105, ss: 44, used: true },
        { PRN: 5, el: 35, az: 48, ss: 41, used: true },
        { PRN: 31, el: 8, az: 20, ss: 0, used: false },
      ],
    }, {
      class: "TPV",
      device: "/dev/ttyAMA0",
      mode: 3,
      time: "2024-05-14T10:00:12.000Z",
      lat: 48.1185,
      lon: 11.5239,
      altHAE: 604.3,
      altMSL: 557.4,
      alt: 557.4,
      speed: 9.98,
      track: 45,
      eph: 17.1,
      epv: 34.5,
      climb: 1,
    });
    await until(() => client.latest() !== null, "a fix");
    assertEquals(client.latest(), {
      mode: 3,
      time: "2024-05-14T10:00:12.000Z",
      lat: 48.1185,
      lon: 11.5239,
      alt_m: 604.3,
      speed_mps: 9.98,
      track_deg: 45,
      eph_m: 17.1,
      epv_m: 34.5,
      satellites_used: 2,
      satellites_seen: 3,
    });
    const stats = client.stats();
    assertEquals([stats.connected, stats.watching, stats.messages, stats.malformed], [
      true,
      true,
      5,
      0,
    ]);
  } finally {
    client.close();
    await client.done;
  }
});

Deno.test("GpsdClient reports no fix as no fix, never as 0,0", async () => {
  await using gpsd = scriptedGpsd();
  const client = new GpsdClient({ port: gpsd.port, log: logSink().log });
  try {
    const session = await gpsd.next();
    const fixes: unknown[] = [];
    client.onFix((fix) => fixes.push(fix));
    await session.send(
      ...HELLO,
      { class: "TPV", mode: 1, time: "2024-05-14T10:00:05.000Z", lat: 0, lon: 0, alt: 0 },
      { class: "TPV", mode: 3, lat: 0, lon: 0, altHAE: 0, eph: 9 },
      { class: "SKY", nSat: 2, uSat: 0 },
      { class: "TPV", mode: 2, lat: 48.1185, lon: 11.5239, alt: 557.4 },
    );
    await until(() => fixes.length === 3, "three fixes");
    assertEquals(fixes, [
      { mode: 1, time: "2024-05-14T10:00:05.000Z" },
      { mode: 1, eph_m: 9 },
      { mode: 2, lat: 48.1185, lon: 11.5239, satellites_used: 0, satellites_seen: 2 },
    ]);
  } finally {
    client.close();
    await client.done;
  }
});

Deno.test("GpsdClient counts and logs lines it cannot read, and reads on", async () => {
  await using gpsd = scriptedGpsd();
  const { lines, log } = logSink();
  const client = new GpsdClient({ port: gpsd.port, log });
  try {
    const session = await gpsd.next();
    await session.send(
      ...HELLO,
      "this is not JSON",
      { class: "TPV", mode: 7 },
      { class: "TPV", mode: 3, lat: "48.1", lon: 11.5 },
      { class: "TPV", mode: 3, lat: 123, lon: 11.5 },
      [1, 2, 3],
      `{"class":"SKY","satellites":[${"{},".repeat(30_000)}{}]}`,
      { class: "PPS", real_sec: 1, real_nsec: 0 },
      { class: "TPV", mode: 2, lat: 48.1185, lon: 11.5239 },
    );
    await until(() => client.latest() !== null, "the good TPV after the bad lines");
    assertEquals(client.latest(), { mode: 2, lat: 48.1185, lon: 11.5239 });
    assertEquals([client.stats().malformed, client.stats().ignored], [6, 1]);
    const warned = lines.filter((l) => l.msg === "ignored a line from gpsd");
    assertEquals(
      warned.map((l) => [l.count, l.reason]),
      [[1, "not JSON"], [2, "TPV.mode: expected 0, 1, 2 or 3"], [
        4,
        "TPV.lat: must be a finite number",
      ]],
      "the 1st, 2nd and 4th are logged, each naming the field",
    );
  } finally {
    client.close();
    await client.done;
  }
});

Deno.test("GpsdClient reconnects when gpsd goes away; the fix turns unknown once stale", async () => {
  await using gpsd = scriptedGpsd();
  const clock = new FakeClock();
  const client = new GpsdClient({
    port: gpsd.port,
    clock,
    staleAfterMs: 5000,
    minBackoffMs: 1000,
    random: () => 1,
    log: logSink().log,
  });
  try {
    const first = await gpsd.next();
    await first.send(...HELLO, { class: "TPV", mode: 3, lat: 48.1185, lon: 11.5239, altHAE: 604 });
    await until(() => client.latest()?.mode === 3, "a fix");
    first.close();
    await until(() => !client.stats().connected, "the client noticed");
    assertEquals(client.latest()?.mode, 3, "the last fix holds while it is fresh");
    const second = gpsd.next();
    await clock.tick(1000);
    const session = await second;
    assertEquals(await session.received("\n"), GPSD_WATCH_COMMAND, "watches again");
    assertEquals(client.stats().connections, 2);
    await clock.tick(5001);
    assertEquals(client.latest(), { mode: 0 }, "no TPV for 5 s: unknown, no position");
    await session.send({ class: "TPV", mode: 1 });
    await until(() => client.latest()?.mode === 1, "the new session's TPV");
  } finally {
    client.close();
    await client.done;
  }
});

Deno.test("GpsdClient without a gpsd reports null and warns once, not every retry", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const clock = new FakeClock();
  const { lines, log } = logSink();
  const client = new GpsdClient({ port, clock, log, minBackoffMs: 100, random: () => 1 });
  try {
    await until(() => lines.length === 1, "the first refusal");
    for (let i = 0; i < 3; i++) {
      await clock.tick(10_000);
      await until(() => lines.length === i + 2, `refusal ${i + 2}`);
    }
    assertEquals(lines.map((l) => l.level), ["warn", "debug", "debug", "debug"]);
    assertEquals(client.latest(), null);
    assertEquals(client.stats().connections, 0);
  } finally {
    client.close();
    await client.done;
  }
});

Deno.test("GpsdClient talks only to a gpsd on this node", () => {
  assertThrows(() => new GpsdClient({ host: "192.0.2.1" }), RangeError, "not loopback");
  assertThrows(() => new GpsdClient({ port: 70000 }), RangeError, "1-65535");
});

Deno.test("GpsdClient closed while it connects stops without waiting for gpsd", async () => {
  await using gpsd = scriptedGpsd();
  const client = new GpsdClient({ port: gpsd.port, log: logSink().log });
  client.close();
  await client.done;
  const session = await gpsd.next();
  assertEquals(await session.ended(), "", "it hung up without watching");
  assertEquals(client.stats().connections, 0);
});
