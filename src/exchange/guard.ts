// Guards against lists that would wipe data by mistake (pure): held for an admin instead of applied.
import type { ListKind } from '../domain/types.js';
import type { ErrorCode } from '../errors.js';
import type { DiffResult } from './diff.js';

export interface GuardVerdict {
  reason: Extract<ErrorCode, 'EMPTY_LIST' | 'MASS_REMOVAL'>;
  message: string;
}

export function guardList(kind: ListKind, diff: DiffResult, maxRemovalRatio: number): GuardVerdict | null {
  if (kind !== 'FULL') return null;
  if (diff.counts.received === 0) {
    return { reason: 'EMPTY_LIST', message: 'The FULL list holds no operators; it is held for review.' };
  }
  const listedBefore = diff.activeBefore;
  if (listedBefore > 0 && diff.counts.removed / listedBefore > maxRemovalRatio) {
    const pct = Math.round((diff.counts.removed / listedBefore) * 1000) / 10;
    return {
      reason: 'MASS_REMOVAL',
      message: `The list would remove ${diff.counts.removed} of ${listedBefore} operators (${pct}%), over the limit of ${maxRemovalRatio * 100}%; it is held for review.`,
    };
  }
  return null;
}
