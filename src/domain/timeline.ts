// An operator's history as valid time (statusSince) × transaction time (recordedAt), pure.
//
// Each event says "from statusSince on, the operator is like this". A newer-recorded event overrides
// every older-recorded one from its own statusSince onward, so a partner can correct a status
// backwards (e.g. lift a suspension by restating the old status date).

import type { IsoDate, OperatorEvent } from './types.js';

// Sorts after every IsoDate, standing for "no later event limits this one".
const END_OF_TIME = '\uffff';

/** Index of the newest event recorded at or before `asKnownAt`, or -1. Events sorted by recordedAt ascending. */
function lastKnownIndex(events: readonly OperatorEvent[], asKnownAt: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.recordedAt <= asKnownAt) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The newest event recorded at or before `asKnownAt` (events sorted by recordedAt, ties in insertion order). */
export function latestKnown(events: readonly OperatorEvent[], asKnownAt: number): OperatorEvent | null {
  const i = lastKnownIndex(events, asKnownAt);
  return i >= 0 ? events[i]! : null;
}

/**
 * The event in effect on `date` as known at `asKnownAt`, or null when none covers it (not listed yet).
 * `events` must be sorted by recordedAt ascending, ties in insertion order; no sorting here (hot path).
 */
export function stateOn(events: readonly OperatorEvent[], date: IsoDate, asKnownAt: number): OperatorEvent | null {
  let cutoff: string = END_OF_TIME;
  for (let i = lastKnownIndex(events, asKnownAt); i >= 0; i--) {
    // Older events only cover dates before the cutoff; once the date is past it nothing older can answer.
    if (cutoff <= date) return null;
    const event = events[i]!;
    if (event.statusSince <= date) return event; // date < cutoff already holds
    if (event.statusSince < cutoff) cutoff = event.statusSince;
  }
  return null;
}
