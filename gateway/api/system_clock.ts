import { clockSetSchema, setClockSchema } from "../../lib/schemas/system.ts";
import { ClockSetError } from "../system/set_clock.ts";
import { iso } from "../store/time.ts";
import type { GatewayDeps } from "../deps.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import { ApiError } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/**
 * `POST /v1/system/clock`: the gateway is the network's time authority; one
 * with neither internet, NTP nor GPS has its clock set by an admin from the
 * browser's.
 */
export function systemClockApi(deps: GatewayDeps) {
  const app = apiApp();

  app.openapi(
    route("admin", {
      method: "post",
      path: "/system/clock",
      tags: ["system"],
      summary: "Set the gateway's clock, when nothing synchronises it",
      description:
        "Refused while the clock is synchronised (NTP or GPS) or its state is unknown. " +
        "Audited with the time before and after.",
      request: { body: jsonBody(setClockSchema) },
      responses: {
        200: jsonResponse(clockSetSchema, "Set"),
        409: refused("The clock is synchronised, or whether it is cannot be told"),
        503: refused("The system refused to set the clock (timedatectl's words in the message)"),
      },
    }),
    async (c) => {
      const { time_ms } = c.req.valid("json");
      const status = await deps.clockStatus();
      if (status.synchronized !== false) {
        throw new ApiError(
          409,
          status.synchronized ? "clock_synchronized" : "clock_state_unknown",
          status.synchronized
            ? `The gateway's clock is synchronised (${status.source}): it is not set by hand`
            : `Whether the gateway's clock is synchronised cannot be told (${status.source}), ` +
              "so it is not set by hand",
        );
      }
      const previous = deps.clock.now();
      try {
        await deps.setSystemClock(time_ms);
      } catch (error) {
        if (!(error instanceof ClockSetError)) throw error;
        throw new ApiError(503, "clock_not_set", error.message, undefined, { cause: error });
      }
      deps.audit.record(actorOf(c), "system.clock.set", null, {
        previous: iso(previous),
        set_to: iso(time_ms),
        change_ms: time_ms - previous,
      });
      return c.json({ previous: iso(previous), set_to: iso(time_ms) }, 200);
    },
  );

  return app;
}
