// When a partner's data counts as stale (contract 4.1): its last confirmed list (APPLIED or NO_CHANGE)
// is older than the manifest's freshness limit. One rule for lookups and GET /v1/partners.
import type { PartnerData } from './operator-index.js';

const HOUR = 3_600_000;

/** The instant the data turns stale; Infinity when there is no confirmed list to age. */
export function staleFrom(data: PartnerData | undefined, freshnessHours: number): number {
  if (data?.lastSuccessAt == null) return Infinity;
  return data.lastSuccessAt + freshnessHours * HOUR;
}

/** Stale at `now`: data was applied once but has not been confirmed within the limit. */
export function isStale(data: PartnerData | undefined, freshnessHours: number, now: number): boolean {
  if (data === undefined) return false;
  return data.lastSuccessAt === null || now > staleFrom(data, freshnessHours);
}
