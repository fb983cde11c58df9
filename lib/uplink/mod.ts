/**
 * What a node sends the gateway, over the gateway API client
 * (`lib/api_client.ts`): its status reports ({@linkcode runReporter}, from a
 * {@linkcode ReportSource}) and its telemetry ({@linkcode TelemetrySender}: a
 * buffer cut into batches with an epoch and `batch_seq`, sent again with
 * backoff until acknowledged). The demo's simulated nodes (`lib/sim/`) use it
 * today; halo-agent builds on the same pieces.
 *
 * @example
 * ```ts
 * import { runReporter, TelemetrySender } from "./mod.ts";
 * const sender = new TelemetrySender({ baseUrl, token, nodeId, epoch: "agent-1" });
 * sender.add(samples);
 * await sender.flush();
 * await runReporter({ client, nodeId, name, source, clock, log, signal, intervalMs: 10_000 });
 * ```
 */
export * from "./reporter.ts";
export * from "./samples_fitting_one_batch.ts";
export * from "./telemetry_sender.ts";
