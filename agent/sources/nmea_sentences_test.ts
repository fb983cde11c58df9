import fc from "fast-check";
import { assert, assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import {
  nmeaChecksum,
  nmeaCoordinate,
  NmeaParseError,
  parseNmeaSentence,
} from "./nmea_sentences.ts";

/** A sentence with its checksum, from the body between `$` and `*`. */
const sentence = (body: string) => `$${body}*${nmeaChecksum(body)}`;
const close = (actual: number | undefined, expected: number, digits = 9) =>
  assert(
    actual !== undefined && Math.abs(actual - expected) < 10 ** -digits,
    `${actual} ≉ ${expected}`,
  );

Deno.test("the reference GGA decodes to 48.1173°N 11.5221°E, quality 1, 8 satellites, 545.4 m", () => {
  const gga = parseNmeaSentence(
    "$GPGGA,123519,4807.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,*42",
  );
  assert(gga.type === "GGA");
  close(gga.lat, 48 + 7.038 / 60);
  close(gga.lon, 11 + 31.324 / 60);
  assertEquals(Number(gga.lat!.toFixed(4)), 48.1173);
  assertEquals(Number(gga.lon!.toFixed(4)), 11.5221);
  assertEquals(gga.talker, "GP");
  assertEquals(gga.timeOfDayMs, (12 * 3600 + 35 * 60 + 19) * 1000);
  assertEquals(gga.quality, 1);
  assertEquals(gga.satellitesUsed, 8);
  assertEquals(gga.hdop, 0.9);
  assertEquals(gga.altitudeMslM, 545.4);
  assertEquals(gga.geoidSeparationM, 46.9);
});

Deno.test("the reference RMC decodes to a valid fix at 49.2742°N 123.1853°W on 19 Nov 1994", () => {
  const rmc = parseNmeaSentence(
    "$GPRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E*68",
  );
  assert(rmc.type === "RMC");
  assertEquals(rmc.status, "A");
  close(rmc.lat, 49 + 16.45 / 60);
  close(rmc.lon, -(123 + 11.12 / 60));
  assertEquals(Number(rmc.lat!.toFixed(4)), 49.2742);
  assertEquals(Number(rmc.lon!.toFixed(4)), -123.1853);
  assertEquals(rmc.speedKnots, 0.5);
  assertEquals(rmc.trackDeg, 54.7);
  assertEquals(rmc.date, { year: 1994, month: 11, day: 19 });
  assertEquals(rmc.timeOfDayMs, (22 * 3600 + 54 * 60 + 46) * 1000);
});

Deno.test("nmeaCoordinate() is dd + mm/60, negative in the south and west", async (t) => {
  await t.step("south", () => close(nmeaCoordinate("3352.1280", "S", "lat"), -(33 + 52.128 / 60)));
  await t.step("west", () => close(nmeaCoordinate("00007.5000", "W", "lon"), -0.125));
  await t.step("whole minutes", () => assertEquals(nmeaCoordinate("4500", "N", "lat"), 45));
  await t.step("60 minutes is refused", () => {
    assertThrows(() => nmeaCoordinate("4860.000", "N", "lat"), RangeError, "minutes");
  });
  await t.step("beyond the pole is refused", () => {
    assertThrows(() => nmeaCoordinate("9100.000", "N", "lat"), RangeError, "beyond 90");
  });
  await t.step("a latitude hemisphere on a longitude is refused", () => {
    assertThrows(() => nmeaCoordinate("01131.324", "N", "lon"), RangeError, "E or W");
  });
});

Deno.test("no-fix sentences parse without a position", () => {
  const gga = parseNmeaSentence(sentence("GPGGA,100005.00,,,,,0,00,99.9,,M,,M,,"));
  assert(gga.type === "GGA");
  assertEquals(gga.quality, 0);
  assertEquals([gga.lat, gga.lon, gga.altitudeMslM], [undefined, undefined, undefined]);
  const rmc = parseNmeaSentence(sentence("GPRMC,100005.00,V,,,,,,,140524,,,N"));
  assert(rmc.type === "RMC");
  assertEquals([rmc.status, rmc.faaMode, rmc.lat], ["V", "N", undefined]);
});

Deno.test("GSA, GSV and GST carry mode, satellites and errors", () => {
  const gsa = parseNmeaSentence("$GPGSA,A,3,04,05,09,12,17,24,25,29,,,,,1.8,0.9,1.5*31");
  assert(gsa.type === "GSA");
  assertEquals([gsa.mode, gsa.satellitesUsed.length, gsa.hdop], [3, 8, 0.9]);
  const gsv = parseNmeaSentence(
    "$GPGSV,3,1,10,04,62,105,44,05,35,048,41,09,21,301,38,12,70,211,45*70",
  );
  assert(gsv.type === "GSV");
  assertEquals([gsv.messages, gsv.messageNumber, gsv.satellitesInView], [3, 1, 10]);
  const gst = parseNmeaSentence(sentence("GNGST,100000.00,1.2,2.0,1.0,30.0,1.5,2.0,3.1"));
  assert(gst.type === "GST");
  assertEquals([gst.talker, gst.latErrorM, gst.lonErrorM, gst.altErrorM], ["GN", 1.5, 2.0, 3.1]);
});

Deno.test("sentences the agent does not read come back as other", () => {
  assertEquals(parseNmeaSentence(sentence("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K")), {
    type: "other",
    address: "GPVTG",
  });
  assertEquals(parseNmeaSentence(sentence("PUBX,00,081350.00")), {
    type: "other",
    address: "PUBX",
  });
});

Deno.test("parseNmeaSentence() names what is wrong", async (t) => {
  const fails = (line: string, problem: string, text: string) => {
    const error = assertThrows(() => parseNmeaSentence(line), NmeaParseError, text);
    assertEquals((error as NmeaParseError).problem, problem);
  };
  await t.step("a wrong checksum", () =>
    fails(
      "$GPGGA,123519,4807.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,*47",
      "checksum",
      "checksum 47 does not match 42",
    ));
  await t.step("a flipped digit fails the checksum", () =>
    fails(
      "$GPGGA,123519,4807.039,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,*42",
      "checksum",
      "does not match",
    ));
  await t.step("no checksum", () => fails("$GPGGA,123519,4807.038,N", "framing", "$…*hh"));
  await t.step("no dollar", () => fails("GPGGA,123519*00", "framing", "$…*hh"));
  await t.step(
    "a latitude that is not ddmm.mmmm",
    () =>
      fails(
        sentence("GPGGA,123519,48x7.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,"),
        "field",
        'GPGGA field 2 (latitude) "48x7.038"',
      ),
  );
  await t.step(
    "a position without its hemisphere",
    () =>
      fails(
        sentence("GPRMC,225446,A,4916.45,,12311.12,W,000.5,054.7,191194,,"),
        "field",
        "field 3 (latitude)",
      ),
  );
  await t.step(
    "an hour 25",
    () => fails(sentence("GPGGA,253519,,,,,0,00,,,M,,M,,"), "field", "field 1 (time)"),
  );
  await t.step(
    "30 February",
    () => fails(sentence("GPRMC,225446,V,,,,,,,300294,,"), "field", "no such day"),
  );
  await t.step(
    "an RMC status that is neither A nor V",
    () => fails(sentence("GPRMC,225446,X,,,,,,,191194,,"), "field", "field 2 (status)"),
  );
  await t.step(
    "a GGA cut short",
    () => fails(sentence("GPGGA,123519,4807.038,N"), "field", "expected at least 9"),
  );
});

/** Whatever a line holds, parsing returns a sentence or throws an NmeaParseError, nothing else. */
function parsesOrRefuses(line: string): void {
  try {
    parseNmeaSentence(line);
  } catch (error) {
    if (!(error instanceof NmeaParseError)) throw error;
  }
}

Deno.test("arbitrary bytes never throw anything but an NmeaParseError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      parsesOrRefuses(new TextDecoder().decode(bytes));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("arbitrary fields with a valid checksum never throw anything but an NmeaParseError", () => {
  const address = fc.constantFrom("GPGGA", "GNRMC", "GPGSA", "GLGSV", "GPGST", "GPVTG");
  const field = fc.oneof(
    fc.constantFrom("", "A", "V", "N", "S", "E", "W", "M", "0", "1", "3", "99", "-1"),
    fc.stringMatching(/^[0-9.]{0,12}$/),
    fc.string({ maxLength: 8 }).filter((s) => !/[$*,\r\n]/.test(s)),
  );
  fc.assert(
    fc.property(address, fc.array(field, { maxLength: 22 }), (type, fields) => {
      parsesOrRefuses(sentence([type, ...fields].join(",")));
    }),
    { numRuns: 3000 },
  );
});
