/**
 * The System page's offer to set the gateway's clock from the browser's,
 * shown to admins only while nothing synchronises it (`POST /v1/system/clock`).
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiProblem } from "../lib/api.ts";
import { duration, timestamp } from "../lib/format.ts";

/** Props of {@linkcode ClockSet}. */
export interface ClockSetProps {
  /** The gateway's clock when it made the page. */
  gatewayTimeMs: number;
}

interface Answer {
  previous: string;
  set_to: string;
}

/** See the module comment. */
export default function ClockSet({ gatewayTimeMs }: ClockSetProps) {
  // The browser's clock is known only once the island runs in it.
  const [offsetMs, setOffsetMs] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setOffsetMs(Date.now() - gatewayTimeMs), [gatewayTimeMs]);

  const set = async () => {
    setBusy(true);
    setError(null);
    try {
      setDone(await api<Answer>("POST", "/v1/system/clock", { time_ms: Date.now() }));
    } catch (e) {
      setError(e instanceof ApiProblem ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="clock-set" data-testid="clock-set">
      <p>
        Nothing synchronises the gateway's clock: it has no internet, NTP or GPS. Nodes take their
        time from it, so set it from this browser's clock if that is right.
      </p>
      <p class="muted">
        The gateway's clock read {timestamp(new Date(gatewayTimeMs).toISOString())}{" "}
        UTC when it made this page
        {offsetMs === null ? "." : `; this browser's clock ${aheadOrBehind(offsetMs)}.`}
      </p>
      <button type="button" onClick={set} disabled={busy}>
        Set the gateway's clock to this browser's time
      </button>
      <p role="status" class="clock-status">
        {done ? `Set to ${timestamp(done.set_to)} UTC (it read ${timestamp(done.previous)}).` : ""}
      </p>
      {error && <p class="notice bad" role="alert">{error}</p>}
    </div>
  );
}

/** "is 3 h 5 min ahead of it", "is 2 min behind it", "agrees with it to the second". */
function aheadOrBehind(offsetMs: number): string {
  const seconds = Math.round(Math.abs(offsetMs) / 1000);
  if (seconds === 0) return "agrees with it to the second";
  return `is ${duration(seconds)} ${offsetMs > 0 ? "ahead of" : "behind"} it`;
}
