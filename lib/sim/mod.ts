/**
 * The simulated HALO network shared by the demo, system tests and
 * benchmarks: a plan of devices ({@linkcode DEMO_NETWORK}), each device's
 * state ({@linkcode SimNode}) and the network that builds their reports at
 * any time ({@linkcode SimNetwork}). Randomness comes in, so a seed makes a
 * run repeatable. Its devices join a real gateway over the API
 * ({@linkcode provision}) and then report and send telemetry as agents do
 * ({@linkcode runReporters}, {@linkcode runTelemetry}, through `lib/uplink/`).
 *
 * @example
 * ```ts
 * import { DEMO_NETWORK, seededRandom, SimNetwork } from "./mod.ts";
 * const net = new SimNetwork(DEMO_NETWORK, { random: seededRandom(1), now: Date.now() });
 * const report = net.report("relay", Date.now());
 * ```
 */
export * from "./demo_flow.ts";
export * from "./network_plan.ts";
export * from "./provision.ts";
export * from "./random.ts";
export * from "./reporting_loop.ts";
export * from "./sim_network.ts";
export * from "./sim_node.ts";
export * from "./telemetry.ts";
export * from "./telemetry_loop.ts";
