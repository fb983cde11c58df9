import fc from "fast-check";
import { createLogger } from "../../lib/log.ts";
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import type { GpsFix } from "./gps.ts";
import { GpsFixTracker } from "./gps_tracker.ts";
import { NmeaFixAssembler, NmeaReader } from "./nmea.ts";
import { nmeaChecksum, parseNmeaSentence } from "./nmea_sentences.ts";
import type { SerialPort } from "./serial_port.ts";
import { DRIVE, type DriveEpoch, driveSentences } from "./testdata/drive.ts";

const sentence = (body: string) => `$${body}*${nmeaChecksum(body)}`;
const quiet = createLogger({ component: "test", write: () => {} });

function assembler() {
  const clock = new FakeClock();
  const tracker = new GpsFixTracker({ clock });
  return { tracker, assembler: new NmeaFixAssembler(tracker) };
}

/** Checks a reported fix against the drive's epoch: a 3D fix there, or no position at all. */
function assertMatchesDrive(fix: GpsFix, epoch: DriveEpoch): void {
  assertEquals(fix.time, epoch.time);
  if (!epoch.fix) {
    const { satellites_used: _used, satellites_seen: _seen, ...rest } = fix;
    assertEquals(rest, { mode: 1, time: epoch.time }, `no fix and no position at ${epoch.time}`);
    return;
  }
  assertEquals(fix.mode, 3, `3D fix at ${epoch.time}`);
  const near = (actual: number | undefined, expected: number, what: string) =>
    assert(
      actual !== undefined && Math.abs(actual - expected) < 1e-6,
      `${what} at ${epoch.time}: ${actual}, expected ${expected}`,
    );
  near(fix.lat, epoch.lat, "lat");
  near(fix.lon, epoch.lon, "lon");
  near(fix.alt_m, epoch.alt_m, "altitude");
  near(fix.speed_mps, epoch.speed_mps, "speed");
  near(fix.track_deg, epoch.track_deg, "track");
}

Deno.test("the drive log gives one fix an epoch, and no position in the tunnel", async () => {
  const { tracker, assembler: nmea } = assembler();
  const lastByTime = new Map<string, GpsFix>();
  const inTunnel: GpsFix[] = [];
  for (const line of await driveSentences()) {
    const fix = nmea.push(parseNmeaSentence(line));
    if (fix?.time) lastByTime.set(fix.time, fix);
    if (fix?.time === "2024-05-14T10:00:06.000Z") inTunnel.push(tracker.latest()!);
  }
  assertEquals([...lastByTime.keys()], DRIVE.map((epoch) => epoch.time));
  for (const epoch of DRIVE) assertMatchesDrive(lastByTime.get(epoch.time)!, epoch);
  assertEquals(
    [inTunnel.at(-1)?.satellites_used, inTunnel.at(-1)?.satellites_seen],
    [0, 2],
    "in the tunnel no satellite is used and two are seen",
  );
  const end = tracker.latest()!;
  assertEquals([end.satellites_used, end.satellites_seen], [8, 10]);
});

Deno.test("a GGA-only epoch is dated by the last RMC, and the date rolls over at midnight", () => {
  const { assembler: nmea } = assembler();
  const gga = (time: string) =>
    parseNmeaSentence(sentence(`GPGGA,${time},4807.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,`));
  assertEquals(nmea.push(gga("235958.00"))?.time, undefined, "no date yet: no time");
  nmea.push(
    parseNmeaSentence(sentence("GPRMC,235959.00,A,4807.038,N,01131.324,E,0.0,,311224,,,A")),
  );
  assertEquals(nmea.push(gga("235959.50"))?.time, "2024-12-31T23:59:59.500Z");
  assertEquals(nmea.push(gga("000000.00"))?.time, "2025-01-01T00:00:00.000Z");
});

Deno.test("GSA's 2D mode drops the altitude; GST gives the position errors", () => {
  const { assembler: nmea } = assembler();
  nmea.push(parseNmeaSentence(sentence("GPGSA,A,2,04,05,09,,,,,,,,,,2.1,1.2,1.7")));
  const fix = nmea.push(
    parseNmeaSentence(sentence("GPGGA,120000,4807.038,N,01131.324,E,1,03,1.2,545.4,M,46.9,M,,")),
  )!;
  assertEquals([fix.mode, fix.alt_m], [2, undefined]);
  const withErrors = nmea.push(
    parseNmeaSentence(sentence("GPGST,120000,1.0,3.0,2.0,0,3.0,4.0,6.0")),
  )!;
  assertEquals([withErrors.eph_m, withErrors.epv_m], [5, undefined], "2D: no vertical error");
});

Deno.test("a valid RMC with a GGA of quality 0 in the same epoch is no fix", () => {
  const { assembler: nmea } = assembler();
  nmea.push(
    parseNmeaSentence(sentence("GPRMC,120000,A,4807.038,N,01131.324,E,1.0,10.0,140524,,,A")),
  );
  const fix = nmea.push(parseNmeaSentence(sentence("GPGGA,120000,,,,,0,00,99.9,,M,,M,,")))!;
  assertEquals(fix, { mode: 1, time: "2024-05-14T12:00:00.000Z", satellites_used: 0 });
});

/** A port that gives `chunks`, then ends; it records that it was closed. */
function chunkPort(chunks: Uint8Array[]): SerialPort & { closed: boolean } {
  let next = 0;
  return {
    closed: false,
    read() {
      return Promise.resolve(this.closed ? null : chunks[next++] ?? null);
    },
    close() {
      this.closed = true;
    },
  };
}

/** Waits for the reader's background loop, a turn of the event loop at a time. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert(condition(), `never happened: ${what}`);
}

Deno.test("NmeaReader reads the drive in any chunking, counts bad lines and keeps going", async () => {
  const log = new TextEncoder().encode((await Deno.readTextFile(
    new URL("./testdata/drive.nmea", import.meta.url),
  )).replace("$GPGGA,100002.00,4807.0500", "$GPGGA,100002.00,4807.0501")); // now a bad checksum
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 40 }),
      async (cuts) => {
        const chunks: Uint8Array[] = [];
        let at = 0;
        for (const size of cuts) chunks.push(log.subarray(at, at += size));
        chunks.push(log.subarray(at));
        const clock = new FakeClock();
        const ports: ReturnType<typeof chunkPort>[] = [];
        const reader = new NmeaReader({
          clock,
          log: quiet,
          open: () => {
            ports.push(chunkPort(ports.length === 0 ? chunks : []));
            return ports.at(-1)!;
          },
        });
        const fixes: GpsFix[] = [];
        reader.onFix((fix) => fixes.push(fix));
        await until(() => ports[0]?.closed === true, "the port was read to its end");
        const stats = reader.stats();
        assertEquals(stats.errors, { framing: 5, checksum: 1, field: 0 }, "5 comments, 1 bad sum");
        assertEquals(stats.sentences, 69);
        assertMatchesDrive(reader.latest()!, DRIVE.at(-1)!);
        assert(fixes.every((fix) => fix.mode >= 2 || fix.lat === undefined));
        reader.close();
        await reader.done;
      },
    ),
    { numRuns: 30 },
  );
});

Deno.test("NmeaReader counts every line of arbitrary bytes as a sentence or a parse error", async () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.constantFrom(
      encode("\r\n"),
      encode("\n"),
      encode("$GPGGA,123519,4807.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,*42\r\n"),
      encode("$GPRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E*68\r\n"),
      encode("$".repeat(600)),
    ),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 30 }), async (chunks) => {
      const reader = new NmeaReader({
        clock: new FakeClock(),
        log: quiet,
        open: () => chunkPort(chunks),
      });
      await until(() => !reader.stats().open, "the port was read to its end");
      reader.close();
      await reader.done;
      // Every complete line is either a sentence or one counted error; blank lines are neither.
      const whole = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      chunks.reduce((at, c) => (whole.set(c, at), at + c.length), 0);
      const complete = new TextDecoder().decode(whole).split("\n").slice(0, -1);
      const expected = complete.filter((line) => line.length > 512 || line.trim() !== "").length;
      const { sentences, errors } = reader.stats();
      assertEquals(sentences + errors.framing + errors.checksum + errors.field, expected);
      const fix = reader.latest();
      assert(fix === null || fix.mode >= 2 || fix.lat === undefined);
    }),
    { numRuns: 200 },
  );
});

Deno.test("NmeaReader opens the port again after it ends or fails, with growing waits", async () => {
  const clock = new FakeClock();
  const opened: number[] = [];
  const reader = new NmeaReader({
    clock,
    log: quiet,
    minBackoffMs: 1000,
    random: () => 1,
    open: () => {
      opened.push(clock.now());
      if (opened.length === 1) throw new Error("ENOENT: no receiver plugged in");
      return chunkPort([]);
    },
  });
  await until(() => opened.length === 1, "first open");
  await clock.tick(999);
  assertEquals(opened.length, 1, "waits the first backoff");
  await clock.tick(1);
  await until(() => opened.length === 2, "second open after 1 s");
  await clock.tick(2000);
  await until(() => opened.length === 3, "third open 2 s later: an empty port is no success");
  assertEquals(reader.latest(), null, "no sentence, no fix");
  reader.close();
  await reader.done;
});

Deno.test("any sequence of good and bad sentences never gives a position without a fix", () => {
  const pool = [
    "$GPGGA,123519,4807.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,*42",
    "$GPRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E*68",
    sentence("GPGGA,123520,,,,,0,00,99.9,,M,,M,,"),
    sentence("GPRMC,123520,V,,,,,,,191194,,,N"),
    sentence("GPGSA,A,1,,,,,,,,,,,,,99.9,99.9,99.9"),
    sentence("GPGSA,A,3,04,05,09,12,,,,,,,,,1.8,0.9,1.5"),
    sentence("GPGGA,123521,0000.000,N,00000.000,E,1,04,2.0,0.0,M,0.0,M,,"),
    sentence("GPGST,123521,1.0,3.0,2.0,0,3.0,4.0,6.0"),
    "$GPGGA,garbage*00",
  ];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 30 }), (lines) => {
      const { tracker, assembler: nmea } = assembler();
      for (const line of lines) {
        try {
          nmea.push(parseNmeaSentence(line));
        } catch {
          continue;
        }
        const fix = tracker.latest();
        if (fix === null) continue;
        if (fix.mode < 2) assertEquals([fix.lat, fix.lon], [undefined, undefined]);
        assert(!(fix.lat === 0 && fix.lon === 0), "never 0,0");
      }
    }),
    { numRuns: 500 },
  );
});
