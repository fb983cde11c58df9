import {
  CAMERA_MAX_IMAGE_BYTES,
  CAMERA_SNAPSHOT,
  type CameraSnapshotParams,
  type CameraSnapshotResult,
} from "../../lib/schemas/commands.ts";
import { ValidationError } from "../../lib/errors.ts";
import { jpegSize } from "../../lib/image/jpeg_size.ts";
import type { HeldImage } from "./held_images.ts";

/** What the gateway keeps of an agent's result. */
export interface AcceptedResult {
  /** The API's view of the result, stored with the command. */
  view: Record<string, unknown>;
  /** An image the result carried, held for its caller or stored when `store` is set. */
  image?: HeldImage & { store: boolean };
}

/** Where a command's image can be fetched, when the gateway still has it. */
export interface ImageAvailability {
  has(commandId: string): boolean;
}

/** How the gateway treats one command type's results; types without one are kept as posted. */
export interface ResultHandler {
  accept(result: Record<string, unknown>, params: Record<string, unknown>): AcceptedResult;
  /** The stored view as the API shows it now. */
  present(view: Record<string, unknown>, commandId: string, images: ImageAvailability): Record<
    string,
    unknown
  >;
}

/** The URL of a command's image. */
export function imagePath(commandId: string): string {
  return `/v1/commands/${commandId}/image`;
}

const badImage = (message: string) =>
  new ValidationError(`Snapshot refused: ${message}`, {
    details: [{ path: "body.result.image_base64", message }],
  });

/** A snapshot: the JPEG is checked and split off; the view says where to fetch it. */
export const cameraSnapshotResults: ResultHandler = {
  accept(result, params) {
    const { tool, image_base64 } = result as CameraSnapshotResult;
    let data: Uint8Array;
    try {
      data = Uint8Array.fromBase64(image_base64);
    } catch {
      throw badImage("not valid base64 (check the = padding)");
    }
    if (data.length > CAMERA_MAX_IMAGE_BYTES) {
      throw badImage(`larger than ${CAMERA_MAX_IMAGE_BYTES} bytes`);
    }
    const size = jpegSize(data);
    if (!size) throw badImage("not a JPEG image whose size can be read");
    const { store } = params as CameraSnapshotParams;
    return {
      view: {
        tool,
        content_type: "image/jpeg",
        size_bytes: data.length,
        width: size.width,
        height: size.height,
        stored: store,
      },
      image: { contentType: "image/jpeg", data, store },
    };
  },
  present(view, commandId, images) {
    return { ...view, image_url: images.has(commandId) ? imagePath(commandId) : null };
  },
};

/** The gateway's handling of each command type's results. */
export const RESULT_HANDLERS: Readonly<Record<string, ResultHandler>> = {
  [CAMERA_SNAPSHOT.type]: cameraSnapshotResults,
};
