/**
 * A fake of the gateway's `POST /v1/telemetry` as an HttpClient, for the
 * tests of the telemetry sender and the simulated nodes: it keeps what the
 * contract promises (a batch is stored once per node, epoch and seq; a retry
 * is answered `duplicate`; the same key with another body is a 409) and
 * fails on request.
 */
import { type TelemetryBatch, telemetryBatchSchema } from "../schemas/telemetry.ts";

/** What the fake does with the next request instead of storing and acknowledging it. */
export type Fault =
  | "refuse-connection"
  | "store-then-drop-answer"
  | { status: number; code: string; retryAfterS?: number };

/** A recorded request. */
export interface SeenBatch {
  batch: TelemetryBatch;
  /** The bearer token it came with. */
  token: string | null;
}

/** The fake and what it saw. */
export interface FakeTelemetryGateway {
  http: (request: Request) => Promise<Response>;
  /** Stored bodies by `node/epoch/seq`. */
  stored: Map<string, string>;
  /** Every request, failed ones included, in arrival order. */
  requests: SeenBatch[];
  /** Failures for the next requests, in order; requests beyond them succeed. */
  faults: Fault[];
  /** Failures for every request while set (e.g. the gateway is down). */
  setDown(fault: Fault | null): void;
  /** Most requests that were in progress at once. */
  maxInFlight(): number;
  /** Every stored sample, batch by batch in arrival order. */
  storedBatches(): TelemetryBatch[];
}

/** A fake gateway; `gatewayTime` stamps its answers. */
export function fakeTelemetryGateway(gatewayTime: () => number = Date.now): FakeTelemetryGateway {
  const stored = new Map<string, string>();
  const requests: SeenBatch[] = [];
  const faults: Fault[] = [];
  let down: Fault | null = null;
  let inFlight = 0;
  let maxInFlight = 0;
  const error = (status: number, code: string, headers: Record<string, string> = {}) =>
    Response.json({ error: { code, message: `fake gateway: ${code}` } }, { status, headers });
  const http = async (request: Request): Promise<Response> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await Promise.resolve();
      if (new URL(request.url).pathname !== "/v1/telemetry") return error(404, "not_found");
      const text = await request.text();
      const batch = telemetryBatchSchema.parse(JSON.parse(text));
      requests.push({ batch, token: request.headers.get("authorization") });
      const fault = faults.shift() ?? down;
      if (fault === "refuse-connection") throw new TypeError("error sending request: refused");
      if (fault !== null && typeof fault === "object") {
        const headers: Record<string, string> = fault.retryAfterS
          ? { "retry-after": String(fault.retryAfterS) }
          : {};
        return error(fault.status, fault.code, headers);
      }
      const key = `${batch.node_id}/${batch.epoch}/${batch.batch_seq}`;
      const before = stored.get(key);
      if (before !== undefined && before !== text) return error(409, "conflict");
      stored.set(key, text);
      if (fault === "store-then-drop-answer") throw new TypeError("connection reset by peer");
      return Response.json({
        accepted: batch.samples.length,
        duplicate: before !== undefined,
        gateway_time_ms: gatewayTime(),
      });
    } finally {
      inFlight--;
    }
  };
  return {
    http,
    stored,
    requests,
    faults,
    setDown: (fault) => (down = fault),
    maxInFlight: () => maxInFlight,
    storedBatches: () => [...stored.values()].map((text) => JSON.parse(text) as TelemetryBatch),
  };
}
