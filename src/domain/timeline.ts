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

/**
 * True when `date` lies in one of the operator's validity periods, as known at `asKnownAt`. A period
 * is named by its first day (`validFrom`; null: not stated): a newer statement of the same first day
 * restates that period (a corrected end replaces the old one), a statement with a new first day (a
 * renewal) adds a period, so a renewal never makes the gap before it valid. A statement that states
 * neither end does not bound validity. Same ordering contract as `stateOn`.
 */
export function withinValidity(events: readonly OperatorEvent[], date: IsoDate, asKnownAt: number): boolean {
  const last = lastKnownIndex(events, asKnownAt);
  for (let i = last; i >= 0; i--) {
    const e = events[i]!;
    if (restatedLater(events, i, last)) continue;
    if ((e.validFrom === null || e.validFrom <= date) && (e.validUntil === null || date <= e.validUntil)) return true;
  }
  return false;
}

/** A newer statement (up to `last`) names the same period as statement `i`. Histories are short: no allocation. */
function restatedLater(events: readonly OperatorEvent[], i: number, last: number): boolean {
  const from = events[i]!.validFrom;
  for (let j = i + 1; j <= last; j++) if (events[j]!.validFrom === from) return true;
  return false;
}
