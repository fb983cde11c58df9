/** What the portal says about a command as it goes from queued to its end. */
import type { CommandRecord, CommandState } from "../../lib/schemas/commands.ts";
import { timestamp } from "./format.ts";

export type { CommandRecord };

const OPEN: readonly CommandState[] = ["queued", "sent", "running"];

/** Whether the command may still change. */
export function isOpen(command: Pick<CommandRecord, "state">): boolean {
  return OPEN.includes(command.state);
}

/** A line for the person who asked: waiting, done, or what went wrong. */
export interface CommandStatus {
  kind: "waiting" | "ok" | "bad";
  text: string;
}

/** How a snapshot command of node `node` stands, in words. */
export function snapshotStatus(command: CommandRecord, node: string): CommandStatus {
  const error = command.error;
  switch (command.state) {
    case "queued":
      return { kind: "waiting", text: `Waiting for ${node} to take the command…` };
    case "sent":
      return { kind: "waiting", text: `Sent to ${node}; waiting for it to start…` };
    case "running":
      return { kind: "waiting", text: `${node} is taking the snapshot…` };
    case "succeeded":
      return { kind: "ok", text: `Snapshot taken at ${timestamp(command.finished_at)} UTC.` };
    case "refused":
      return {
        kind: "bad",
        text: error?.code === "node_offline"
          ? `${node} is offline: its agent is not connected, so the snapshot was not sent.`
          : `Refused: ${error?.message ?? "no reason given"}`,
      };
    case "expired":
      return {
        kind: "bad",
        text: `${node} did not answer before the deadline: ${error?.message ?? "expired"}.`,
      };
    default:
      return { kind: "bad", text: failure(error, node) };
  }
}

function failure(error: CommandRecord["error"], node: string): string {
  switch (error?.code) {
    case "no_camera":
      return `No camera is connected to ${node}.`;
    case "no_camera_tool":
      return `${node} has no camera software: ${error.message}.`;
    case "deadline_passed":
      return `${node} did not finish the snapshot before the deadline.`;
    default:
      return `The snapshot failed: ${error?.message ?? "no reason given"}`;
  }
}
