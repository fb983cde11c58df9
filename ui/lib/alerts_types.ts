/**
 * Wire shapes of the alerts and silences APIs as the portal reads them; they
 * mirror `gateway/api/alerts.ts` and `gateway/api/silences.ts`, whose schemas
 * are private to those modules, field for field.
 */
import type { Alert } from "./types.ts";

export type { Alert };

/** What a silence holds back: a node (by id), a tag, or a flow (by id). */
export type SilenceTarget = "node" | "tag" | "flow";

/** A silence (maintenance window) as `GET /v1/silences` returns it. */
export interface Silence {
  id: number;
  target: SilenceTarget;
  value: string;
  reason: string;
  created_by: string;
  created_at: string;
  ends_at: string;
  active: boolean;
}

/** The body of `POST /v1/silences`. */
export interface NewSilence {
  target: SilenceTarget;
  value: string;
  reason: string;
  duration_s: number;
}

/** The part of an alert that acknowledging and resolving change. */
export type AlertState = Pick<
  Alert,
  "id" | "status" | "acknowledged_at" | "acknowledged_by" | "resolved_at" | "resolved_by"
>;

/** Names the silences and the silence form show for ids. */
export interface SilenceChoices {
  nodes: { id: string; name: string }[];
  flows: { id: number; name: string }[];
  tags: string[];
}
