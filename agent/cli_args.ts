import { parseArgs } from "node:util";

/** What `halo-agent` was asked to do. */
export type AgentCommand =
  | { command: "run"; once: boolean }
  | { command: "help" }
  | { command: "version" };

export const AGENT_HELP =
  `halo-agent: a HALO node's agent (enrollment, collectors, reports, telemetry)

Usage:
  halo-agent            enroll if agent-env holds a join token, then collect, report and send
                        telemetry every interval the gateway gives (default 10 s) until SIGTERM
  halo-agent --once     one collection, one node report and one telemetry batch (delivered or
                        buffered), then exit: 0 when the report went through
  halo-agent --version | --help

Files:
  $HALO_ETC/config.yaml   role, node name, log level, optional gateway.url (read)
  $HALO_ETC/agent-env     HALO_JOIN_TOKEN before enrollment; HALO_NODE_ID and HALO_AGENT_TOKEN
                          after it, written here (mode 0640) in place of the join token
  $HALO_RUN/agent.sock    status and live readings for halo-field and haloctl (mode 0660)

Environment:
  HALO_ETC           configuration directory (default /etc/halo)
  HALO_VAR           state directory (default /var/lib/halo)
  HALO_RUN           runtime directory (default /run/halo)
  HALO_GATEWAY_URL   the gateway, e.g. http://10.0.0.1:8080; wins over agent-env's and
                     config.yaml's gateway.url
  HALO_LOG           log level: debug, info, warn, error (default config.yaml's log_level, else info)
`;

/** Parses `halo-agent`'s arguments; throws a `TypeError` saying what is wrong and what to do. */
export function parseAgentArgs(args: string[]): AgentCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        once: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (error) {
    throw new TypeError(`${(error as Error).message}\nRun halo-agent --help for usage.`);
  }
  const { values } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  return { command: "run", once: values.once === true };
}
