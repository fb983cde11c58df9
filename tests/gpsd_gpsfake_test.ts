/**
 * The gpsd client against Debian's real gpsd, fed a drive by gpsfake: the
 * fixes the client reports are the log's, the tunnel is no fix (never 0,0),
 * and a gpsd that goes away and comes back is followed. Skipped with the
 * reason when gpsd is not installed, and a failure under CI=true.
 */
import { GpsdClient } from "../agent/sources/gpsd.ts";
import type { GpsFix } from "../agent/sources/gps.ts";
import { DRIVE, DRIVE_LOG, driveEpochAt } from "../agent/sources/testdata/drive.ts";
import { createLogger } from "../lib/log.ts";
import { assert, assertEquals } from "../lib/testing/assert.ts";
import { ignoreWithoutGpsfake, startGpsfake } from "./_helpers/gpsfake.ts";

const quiet = createLogger({ component: "test", write: () => {} });
const LAST = DRIVE.at(-1)!;

/** Waits, 10 ms at a time, for the client to get there; the bound only stops a hang. */
async function until(condition: () => boolean, what: string, output = () => ""): Promise<void> {
  for (let turn = 0; turn < 3000 && !condition(); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert(condition(), `never happened: ${what}; gpsfake said: ${output()}`);
}

const near = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-6;
const isLastEpoch = (fix: GpsFix) => fix.time === LAST.time && fix.track_deg !== undefined;

/** Every report agrees with the log, and the drive's fixes and tunnel all show up. */
function assertReportsMatchDrive(reports: GpsFix[]): void {
  for (const report of reports) {
    const hasPosition = report.lat !== undefined || report.lon !== undefined;
    if (report.mode < 2) assert(!hasPosition, `no fix with a position: ${JSON.stringify(report)}`);
    if (report.time === undefined) {
      if (hasPosition) {
        assert(
          DRIVE.some((e) => e.fix && near(report.lat, e.lat) && near(report.lon, e.lon)),
          `a position the drive never had: ${JSON.stringify(report)}`,
        );
      }
      continue;
    }
    const epoch = driveEpochAt(report.time);
    assert(epoch, `a time the drive does not have: ${JSON.stringify(report)}`);
    if (!epoch.fix) assert(report.mode < 2, `a fix in the tunnel: ${JSON.stringify(report)}`);
    if (hasPosition) {
      assert(near(report.lat, epoch.lat) && near(report.lon, epoch.lon), JSON.stringify(report));
      assert(report.alt_m === undefined || near(report.alt_m, epoch.alt_m), JSON.stringify(report));
    }
  }
  for (const epoch of DRIVE.filter((e) => e.fix)) {
    const last = reports.findLast((r) => r.time === epoch.time);
    assert(last, `no report for ${epoch.time}`);
    assertEquals(last.mode, 3, `3D fix at ${epoch.time}`);
    for (
      const [field, expected] of [["alt_m", epoch.alt_m], ["speed_mps", epoch.speed_mps]] as const
    ) {
      assert(Math.abs(last[field]! - expected) < 0.01, `${field} at ${epoch.time}: ${last[field]}`);
    }
    assertEquals(last.track_deg, epoch.track_deg);
  }
  assert(
    reports.some((r) => r.mode === 1 && r.time !== undefined && !driveEpochAt(r.time)!.fix),
    "the tunnel is reported as no fix",
  );
  const times = reports.flatMap((r) => (r.time ? [Date.parse(r.time)] : []));
  assertEquals(times, [...times].sort((a, b) => a - b), "reports come in the drive's order");
}

Deno.test({
  name: "the gpsd client reports the fixes real gpsd makes of a drive, and no fix in the tunnel",
  ignore: await ignoreWithoutGpsfake(),
  async fn() {
    await using gpsd = await startGpsfake(DRIVE_LOG);
    const client = new GpsdClient({ port: gpsd.port, minBackoffMs: 50, log: quiet });
    const reports: GpsFix[] = [];
    client.onFix((fix) => reports.push(fix));
    try {
      await until(() => client.stats().watching, "the client watches", () => gpsd.output);
      await gpsd.feed();
      await until(
        () => reports.some(isLastEpoch),
        "the drive's last epoch",
        () => `${JSON.stringify(client.stats())} ${JSON.stringify(reports)}`,
      );
      assertReportsMatchDrive(reports);
      const latest = client.latest()!;
      assert(near(latest.lat, LAST.lat) && near(latest.lon, LAST.lon));
      assertEquals([latest.satellites_used, latest.satellites_seen], [8, 10]);
      assertEquals(client.stats().malformed, 0, "real gpsd's lines all pass the schema");
    } finally {
      client.close();
      await client.done;
    }
  },
});

Deno.test({
  name: "the gpsd client goes stale when gpsd stops and follows the next gpsd on the port",
  ignore: await ignoreWithoutGpsfake(),
  async fn() {
    const first = await startGpsfake(DRIVE_LOG);
    const client = new GpsdClient({
      port: first.port,
      minBackoffMs: 50,
      maxBackoffMs: 200,
      staleAfterMs: 1000,
      log: quiet,
    });
    let reports: GpsFix[] = [];
    client.onFix((fix) => reports.push(fix));
    try {
      await until(() => client.stats().watching, "the client watches", () => first.output);
      await first.feed();
      await until(() => reports.some(isLastEpoch), "the first drive", () => first.output);
      await first.stop();
      await until(() => !client.stats().connected, "the client noticed gpsd stop");
      await until(() => client.latest()?.mode === 0, "the fix went stale");
      assertEquals(client.latest(), { mode: 0 }, "stale: no position");

      reports = [];
      await using second = await startGpsfake(DRIVE_LOG, { port: first.port });
      await until(() => client.stats().watching, "watching the new gpsd", () => second.output);
      await second.feed();
      await until(() => reports.some(isLastEpoch), "the second drive", () => second.output);
      assertReportsMatchDrive(reports);
      assert(client.stats().connections >= 2);
    } finally {
      client.close();
      await client.done;
      await first.stop();
    }
  },
});
