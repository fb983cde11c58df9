/** The alerts page's views and its grouping of alerts by root cause. */
import type { Alert } from "./alerts_types.ts";

/** The views of the alerts page, as `?status=` names them. */
export const ALERT_VIEWS = [
  { id: "active", label: "Open & acknowledged", statuses: ["open", "acknowledged"] },
  { id: "open", label: "Open", statuses: ["open"] },
  { id: "acknowledged", label: "Acknowledged", statuses: ["acknowledged"] },
  { id: "resolved", label: "Resolved", statuses: ["resolved"] },
  { id: "all", label: "All", statuses: ["open", "acknowledged", "resolved"] },
] as const;

/** One view. */
export type AlertView = typeof ALERT_VIEWS[number];

/** The view `?status=` names, or the default (open and acknowledged, as the overview counts). */
export function alertView(id: string | null | undefined): AlertView {
  return ALERT_VIEWS.find((v) => v.id === id) ?? ALERT_VIEWS[0];
}

/** A root-cause alert with the alerts grouped under it that this view lists. */
export interface AlertGroup {
  alert: Alert;
  children: Alert[];
  /** Ids of alerts grouped under it that this view does not list (another status). */
  elsewhere: number[];
  /** Set when this alert is grouped under one the view does not list. */
  parentElsewhere: number | null;
}

/**
 * Groups a view's alerts by root cause, newest group first: each alert the
 * API grouped under a root-cause alert (`parent_id`) sits under it when the
 * view lists both; otherwise it stands alone, saying where its parent is.
 */
export function groupAlerts(alerts: readonly Alert[]): AlertGroup[] {
  const listed = new Map(alerts.map((a) => [a.id, a]));
  const children = new Map<number, Alert[]>();
  for (const a of alerts) {
    if (a.parent_id !== null && listed.has(a.parent_id)) {
      (children.get(a.parent_id) ?? children.set(a.parent_id, []).get(a.parent_id)!).push(a);
    }
  }
  return alerts
    .filter((a) => a.parent_id === null || !listed.has(a.parent_id))
    .map((a) => ({
      alert: a,
      children: (children.get(a.id) ?? []).sort((x, y) => x.id - y.id),
      elsewhere: a.children.filter((id) => !listed.has(id)),
      parentElsewhere: a.parent_id !== null && !listed.has(a.parent_id) ? a.parent_id : null,
    }))
    .sort((x, y) => y.alert.id - x.alert.id);
}
