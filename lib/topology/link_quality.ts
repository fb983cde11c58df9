/**
 * A link's quality 0-1, one rule for the gateway's paths, the portal's
 * history chart and halo-field: batman-adv's TQ when known, else a
 * signal-based estimate (-100 dBm ≈ 0, -50 dBm and above ≈ 1), else 0.5.
 */
export function linkQuality(link: { tq: number | null; signal_dbm: number | null }): number {
  if (link.tq !== null) return link.tq / 255;
  if (link.signal_dbm !== null) return Math.min(1, Math.max(0, (link.signal_dbm + 100) / 50));
  return 0.5;
}
