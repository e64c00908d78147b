// When a partner's data counts as stale (contract 4.1): the list it comes from was generated longer
// ago than the manifest's freshness limit. Age counts from the list's own generatedAt, so re-sending
// an old list (NO_CHANGE) or applying it late does not make its data fresh. One rule for lookups,
// GET /v1/partners and health words.

const HOUR = 3_600_000;

/** The list data comes from, as far as its age goes: `lastGeneratedAt` is its RFC 3339 generatedAt. */
export interface ListAge {
  lastGeneratedAt: string | null;
}

/** The instant the data turns stale: Infinity when there is no list (nothing to age), -Infinity when its age is unknown. */
export function staleFrom(list: ListAge | undefined, freshnessHours: number): number {
  if (list === undefined) return Infinity;
  const generatedAt = list.lastGeneratedAt === null ? Number.NaN : Date.parse(list.lastGeneratedAt);
  return Number.isFinite(generatedAt) ? generatedAt + freshnessHours * HOUR : -Infinity;
}

/** Stale at `now` (epoch ms): a list was applied, and it was generated more than `freshnessHours` before `now`. */
export function isStale(list: ListAge | undefined, freshnessHours: number, now: number): boolean {
  return now > staleFrom(list, freshnessHours);
}
