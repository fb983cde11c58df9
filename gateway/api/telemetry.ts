import { z } from "zod";
import {
  latestQuerySchema,
  latestSchema,
  MAX_BATCH_SAMPLES,
  metricsListSchema,
  telemetryAckSchema,
  telemetryBatchSchema,
  telemetryCsvSchema,
  telemetryQuerySchema,
  telemetryResultSchema,
} from "../../lib/schemas/telemetry.ts";
import { HTTPException } from "hono/http-exception";
import type { HonoRequest } from "hono";
import { checkBatch, type CheckedBatch } from "../telemetry/batch_check.ts";
import type { SeriesResult } from "../telemetry/store.ts";
import { metricCatalogueSchema } from "../../lib/schemas/metric_catalogue.ts";
import { MetricCatalogueStore } from "../store/metric_catalogue.ts";
import { NodeStore } from "../store/nodes.ts";
import { apiApp, throwValidationError } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, badRequest } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";
import { type CheckedJson, takeJsonBody } from "./strict_input.ts";

/** Largest span a query may cover. */
const MAX_SPAN_MS = 3 * 365 * 86_400_000;

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function toCsv(resolution: string, series: SeriesResult[], names: Map<string, string>): string {
  const rollup = resolution !== "raw";
  const lines = [
    [
      "time",
      "node_id",
      "node",
      "metric",
      "labels",
      "unit",
      ...(rollup ? ["min", "max", "avg", "count"] : ["value"]),
    ]
      .join(","),
  ];
  for (const { series: s, points } of series) {
    const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(";");
    for (const p of points) {
      const values = "value" in p ? [p.value] : [p.min, p.max, p.avg, p.count];
      lines.push(
        [
          new Date(p.ts).toISOString(),
          s.nodeId,
          names.get(s.nodeId) ?? "",
          s.metric,
          labels,
          s.unit ?? "",
          ...values,
        ]
          .map(csvField).join(","),
      );
    }
  }
  return lines.join("\r\n") + "\r\n";
}

/** The media types the API reads as JSON, as @hono/zod-openapi recognises them. */
export const JSON_MEDIA_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

const utf8 = new TextDecoder();

/**
 * The request's JSON body as the strict input check read it, refused as
 * @hono/zod-openapi refuses it on other JSON routes: 415 for another media
 * type, or for a body without one; null for neither (then validation lists
 * the missing fields).
 */
async function batchBody(req: HonoRequest): Promise<CheckedJson | null> {
  const type = req.header("content-type");
  if (type !== undefined && JSON_MEDIA_TYPE.test(type)) {
    return await takeJsonBody(req) ?? { bytes: new Uint8Array(), value: undefined };
  }
  if (type !== undefined || utf8.decode(await req.bytes()).length > 0) {
    throw new HTTPException(415, { message: "Unsupported Media Type" });
  }
  return null;
}

/** The checked batch of a body (null: none), or the 400/413 answer wording every refusal. */
function parseBatch(body: CheckedJson | null): CheckedBatch {
  if (body !== null && body.bytes.length === 0) {
    throw new HTTPException(400, { message: "Malformed JSON in request body" });
  }
  const checked = checkBatch(body === null ? {} : body.value);
  if ("issues" in checked) refuse(checked.issues);
  return checked;
}

/** Answers a refused batch: 413 for too many samples, else 400 listing each bad field. */
function refuse(issues: z.core.$ZodIssue[]): never {
  if (issues.some((i) => i.code === "too_big" && i.path.join(".") === "samples")) {
    throw new ApiError(
      413,
      "too_many_samples",
      `A batch holds at most ${MAX_BATCH_SAMPLES} samples: split it`,
    );
  }
  throwValidationError({ success: false, target: "json", error: { issues } });
  // throwValidationError returns only for a successful result, which this is not.
  throw new TypeError("refuse() needs a failed validation");
}

/** Telemetry ingest (agents) and queries. */
export function telemetryApi(deps: GatewayDeps) {
  const app = apiApp();

  // Documented from the schema like every route, but validated by checkBatch (see
  // batch_check.ts): zod on 100-sample batches cost more CPU than storing them.
  const ingestRoute = route("agent", {
    method: "post",
    path: "/telemetry",
    tags: ["telemetry"],
    summary: "Store a batch of samples from this node's agent; acknowledged once durable",
    description:
      "Idempotent: a retried batch (same node, epoch, batch_seq and body) is acknowledged and " +
      "stored once; the same key with another body is a 409. The whole batch is refused, and " +
      "nothing stored, if any sample is more than 5 minutes ahead, older than raw retention, or " +
      `in another unit than its series. At most ${MAX_BATCH_SAMPLES} samples and 1 MiB (413).`,
    request: { body: jsonBody(telemetryBatchSchema) },
    responses: {
      200: jsonResponse(telemetryAckSchema, "Stored (or stored before)"),
      409: refused("Batch key reused with another body"),
      413: refused("Too many samples, or more bytes than the gateway accepts"),
    },
  });
  app.openAPIRegistry.registerPath(ingestRoute);
  app.post("/telemetry", ingestRoute.middleware, (c) => {
    const p = c.get("principal");
    if (p.kind !== "agent") throw badRequest("Only a node's agent sends telemetry");
    // A chain, not awaits in this function: the body and its parsed samples must be
    // garbage once ingest() has packed them, not live on in this frame while the
    // group commit is awaited (they would reach the old generation at every request).
    return batchBody(c.req)
      .then((body) =>
        deps.telemetry.ingest(p.nodeId, parseBatch(body), body?.bytes ?? new Uint8Array())
      )
      .then((ack) => c.json(ack, 200));
  });

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/telemetry",
      tags: ["telemetry"],
      summary:
        "Series of samples; rollups (min, max, avg, count) for long spans; CSV with Accept: text/csv",
      request: { query: telemetryQuerySchema },
      responses: {
        200: {
          description: "Series",
          content: {
            "application/json": { schema: telemetryResultSchema },
            "text/csv": { schema: telemetryCsvSchema },
          },
        },
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      const to = q.to ?? deps.clock.now();
      const from = q.from ?? to - 3_600_000;
      if (from > to) {
        throw badRequest("from must not be after to", [{
          path: "query.from",
          message: "after to",
        }]);
      }
      if (to - from > MAX_SPAN_MS) {
        throw badRequest("Span too long: at most 3 years", [{
          path: "query.from",
          message: "too far before to",
        }]);
      }
      const result = deps.telemetry.query({
        nodes: q.node?.split(","),
        metrics: q.metric?.split(","),
        labels: q.labels,
        from,
        to,
        resolution: q.resolution,
      });
      const names = new NodeStore(deps.db).names();
      if ((c.req.header("accept") ?? "").includes("text/csv")) {
        c.header(
          "content-disposition",
          `attachment; filename="halo-telemetry-${result.resolution}.csv"`,
        );
        return c.body(toCsv(result.resolution, result.series, names), 200, {
          "content-type": "text/csv; charset=utf-8",
        });
      }
      return c.json({
        resolution: result.resolution,
        from,
        to,
        series: result.series.map(({ series: s, points }) => ({
          node_id: s.nodeId,
          node_name: names.get(s.nodeId) ?? null,
          metric: s.metric,
          labels: s.labels,
          unit: s.unit,
          points,
        })),
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/telemetry/latest",
      tags: ["telemetry"],
      summary: "Each node's last value of each series",
      request: { query: latestQuerySchema },
      responses: { 200: jsonResponse(latestSchema, "Latest values") },
    }),
    (c) => {
      const q = c.req.valid("query");
      const names = new NodeStore(deps.db).names();
      return c.json({
        series: deps.telemetry.latest({
          nodes: q.node ? [q.node] : undefined,
          metrics: q.metric ? [q.metric] : undefined,
        }).map(({ series: s, ts, value }) => ({
          node_id: s.nodeId,
          node_name: names.get(s.nodeId) ?? null,
          metric: s.metric,
          labels: s.labels,
          unit: s.unit,
          ts,
          value,
        })),
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/telemetry/metrics",
      tags: ["telemetry"],
      summary: "Metric names with their units and the nodes reporting them",
      responses: { 200: jsonResponse(metricsListSchema, "Metrics") },
    }),
    (c) => {
      const byMetric = new Map<
        string,
        { unit: string | null; nodes: Set<string>; series: number }
      >();
      for (const s of deps.telemetry.select({}, Number.MAX_SAFE_INTEGER)) {
        let m = byMetric.get(s.metric);
        if (!m) byMetric.set(s.metric, m = { unit: s.unit, nodes: new Set(), series: 0 });
        m.nodes.add(s.nodeId);
        m.series++;
        m.unit ??= s.unit;
      }
      return c.json({
        metrics: [...byMetric].sort(([a], [b]) => a.localeCompare(b)).map(([metric, m]) => ({
          metric,
          unit: m.unit,
          nodes: [...m.nodes].sort(),
          series: m.series,
        })),
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/telemetry/catalogue",
      tags: ["telemetry"],
      summary: "What each metric means: unit, labels and meaning of the built-ins and stored ones",
      description:
        "HALO's own metrics, and those declared at run time (sensor templates, monitors). A " +
        "metric reported but declared nowhere is not listed: GET /v1/telemetry/metrics lists " +
        "what is reported.",
      responses: { 200: jsonResponse(metricCatalogueSchema, "The catalogue, by name") },
    }),
    (c) => c.json({ metrics: new MetricCatalogueStore(deps.db).entries() }, 200),
  );

  return app;
}
