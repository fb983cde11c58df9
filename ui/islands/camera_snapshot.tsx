/**
 * The node page's snapshot button (operators and admins): asks the node's
 * agent for one still (`POST /v1/nodes/{id}/commands`), follows the command
 * until it ends, then fetches the JPEG once and shows it. The gateway keeps
 * the image only when "Keep it on the gateway" is ticked.
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiProblem } from "../lib/api.ts";
import { type CommandRecord, type CommandStatus, isOpen, snapshotStatus } from "../lib/commands.ts";
import { bytes } from "../lib/format.ts";

/** Props of {@linkcode CameraSnapshot}. */
export interface CameraSnapshotProps {
  nodeId: string;
  nodeName: string;
}

/** How often the state of a command under way is asked. */
const POLL_MS = 1000;

interface Shown {
  url: string;
  width: number;
  height: number;
  size: number;
  stored: boolean;
}

/** See the module comment. */
export default function CameraSnapshot({ nodeId, nodeName }: CameraSnapshotProps) {
  const [status, setStatus] = useState<CommandStatus | null>(null);
  const [image, setImage] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const [store, setStore] = useState(false);
  useEffect(() => () => {
    if (image) URL.revokeObjectURL(image.url);
  }, [image]);

  const take = async () => {
    setBusy(true);
    setStatus({ kind: "waiting", text: `Asking ${nodeName} for a snapshot…` });
    try {
      let command = await api<CommandRecord>("POST", `/v1/nodes/${nodeId}/commands`, {
        type: "camera_snapshot",
        params: { store },
      });
      while (isOpen(command)) {
        setStatus(snapshotStatus(command, nodeName));
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        command = await api<CommandRecord>("GET", `/v1/commands/${command.id}`);
      }
      if (command.state === "succeeded") setImage(await fetchImage(command));
      setStatus(snapshotStatus(command, nodeName));
    } catch (error) {
      setStatus({ kind: "bad", text: error instanceof ApiProblem ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="camera-snapshot">
      <p class="muted">
        Takes one still with the node's camera. It is shown here and not kept on the gateway unless
        you ask.
      </p>
      <div class="camera-actions">
        <button type="button" onClick={take} disabled={busy}>Take a snapshot</button>
        <label class="check">
          <input
            type="checkbox"
            checked={store}
            onChange={(e) => setStore((e.currentTarget as HTMLInputElement).checked)}
          />
          Keep it on the gateway
        </label>
      </div>
      <p class="camera-status" role="status" aria-live="polite">
        {status && status.kind !== "bad" ? status.text : ""}
      </p>
      {status?.kind === "bad" && <p class="notice bad" role="alert">{status.text}</p>}
      {image && (
        <figure class="camera-image">
          <img
            src={image.url}
            width={image.width}
            height={image.height}
            alt={`Snapshot from ${nodeName}'s camera`}
          />
          <figcaption class="muted">
            {image.width}×{image.height}, {bytes(image.size)}
            {image.stored ? ", kept on the gateway" : ""} ·{" "}
            <a href={image.url} download={`${nodeName}-snapshot.jpg`}>Save the image</a>
          </figcaption>
        </figure>
      )}
    </div>
  );
}

/** Fetches a finished snapshot's JPEG once, as a URL the page can show. */
async function fetchImage(command: CommandRecord): Promise<Shown> {
  const result = command.result as {
    image_url: string | null;
    width: number;
    height: number;
    size_bytes: number;
    stored: boolean;
  };
  const gone = "The gateway no longer holds the image: take another snapshot";
  if (!result.image_url) throw new ApiProblem(404, "not_found", gone);
  const res = await fetch(result.image_url, { credentials: "same-origin" });
  if (!res.ok) throw new ApiProblem(res.status, "not_found", gone);
  return {
    url: URL.createObjectURL(await res.blob()),
    width: result.width,
    height: result.height,
    size: result.size_bytes,
    stored: result.stored,
  };
}
