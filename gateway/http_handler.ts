import { type createApp, MAX_BODY_BYTES } from "./app.ts";
import type { GatewayDeps } from "./deps.ts";
import { TelemetryFastPath } from "./api/telemetry_fast_path.ts";

/** How Deno.serve calls the gateway. */
export type RequestHandler = (
  request: Request,
  info: { remoteAddr: { hostname: string } },
) => Response | Promise<Response>;

/**
 * The gateway's HTTP handler: agents' telemetry batches by their fast path
 * (see api/telemetry_fast_path.ts), everything else by the app.
 */
export async function createRequestHandler(
  deps: GatewayDeps,
  app: ReturnType<typeof createApp>,
): Promise<RequestHandler> {
  const telemetry = await TelemetryFastPath.create(deps, app, MAX_BODY_BYTES);
  return (request, info) => {
    const env = { remoteAddr: info.remoteAddr };
    return telemetry.handle(request, env) ?? app.fetch(request, env);
  };
}
