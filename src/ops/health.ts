// Partner health (contract 12.1): one rule, one place. The words in the contract's order; the first
// that applies wins. Used by GET /v1/partners, the metrics and the console.
import type { Outcome } from '../exchange/types.js';

export const HEALTH_WORDS = ['DISABLED', 'NEVER_SYNCED', 'QUARANTINED', 'STALE', 'FAILING', 'LATE', 'OK'] as const;
export type HealthWord = (typeof HEALTH_WORDS)[number];

/** LATE: no success this long after the schedule was last due. */
export const LATE_AFTER_MS = 2 * 3_600_000;

export interface HealthFacts {
  /** The manifest's `enabled`. */
  enabled: boolean;
  /** A list of this partner has been applied at least once. */
  everApplied: boolean;
  /** Quarantined lists that wait for an admin's review. */
  quarantinePending: number;
  /** Section 4.1 staleness, as src/lookup/freshness.ts decides it. */
  stale: boolean;
  /** Outcomes of the partner's newest finished inbound runs, newest first (two are enough). */
  recentOutcomes: readonly Outcome[];
  /** The last APPLIED or NO_CHANGE (epoch ms), null when none. */
  lastSuccessAt: number | null;
  /** When the partner's schedule was last due (epoch ms), null when never (or no schedule). */
  previousDueAt: number | null;
  now: number;
}

const failed = (o: Outcome | undefined): boolean => o === 'FAILED' || o === 'REJECTED';

export function partnerHealth(f: HealthFacts): HealthWord {
  if (!f.enabled) return 'DISABLED';
  if (!f.everApplied) return 'NEVER_SYNCED';
  if (f.quarantinePending > 0) return 'QUARANTINED';
  if (f.stale) return 'STALE';
  if (failed(f.recentOutcomes[0]) && failed(f.recentOutcomes[1])) return 'FAILING';
  if (isLate(f)) return 'LATE';
  return 'OK';
}

/** The schedule was due more than 2 h ago and no success came since it was due. */
function isLate(f: HealthFacts): boolean {
  if (f.previousDueAt === null || f.now <= f.previousDueAt + LATE_AFTER_MS) return false;
  return f.lastSuccessAt === null || f.lastSuccessAt < f.previousDueAt;
}
