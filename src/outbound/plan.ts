// FULL or DELTA against what the partner last received, counts and the guard (pure).
import { departure, type OutboundRecord } from './project.js';
import { MESSAGE_FIELDS } from './settings.js';

export type BatchKind = 'FULL' | 'DELTA';

export interface BatchCounts {
  enterprises: number;
  added: number;
  changed: number;
  removed: number;
  heldBack: number;
}

export interface Plan {
  kind: BatchKind;
  /** The message's records, sorted by aeoCode; null when nothing changed (NO_CHANGE). */
  records: readonly OutboundRecord[] | null;
  counts: BatchCounts;
  /** Why the batch waits for approval, or null. */
  guard: string | null;
}

/** What a partner holds, by aeoCode: a Map, or records in aeoCode order (partner-list.ts SortedRecords). */
export interface RecordLookup {
  readonly size: number;
  get(aeoCode: string): OutboundRecord | undefined;
  keys(): Iterable<string>;
}

export interface PlanInput {
  now: ReadonlyMap<string, OutboundRecord>;
  /** What the partner holds after the last message (its snapshot); null → none usable, send a FULL. */
  previous: RecordLookup | null;
  fullDue: boolean;
  /** When the chain is broken: what the partner last really received (counts and the removal guard). */
  received?: RecordLookup | null;
  heldBack: number;
  /** The date a record that left the list is REVOKED from (the enterprise's own date where known). */
  removedSince: (aeoCode: string) => string;
  maxRemovalRatio: number;
  /**
   * The aeoCodes that may differ between `now` and the base (`previous`, else `received`), when the
   * caller knows them (partner-list.ts): only those are compared. Null or absent: every code is.
   */
  changed?: Iterable<string> | null;
  /** `now`'s records in aeoCode order, when the caller has them (a FULL's records). */
  inOrder?: () => readonly OutboundRecord[];
}

export const byCode = (a: { aeoCode: string }, b: { aeoCode: string }): number => (a.aeoCode < b.aeoCode ? -1 : a.aeoCode > b.aeoCode ? 1 : 0);

/** Records hold message fields only (a projection, or one read back from our own message). */
function sameRecord(a: OutboundRecord, b: OutboundRecord): boolean {
  if (a === b) return true; // the same projection (project.ts ProjectionMemo)
  for (const f of MESSAGE_FIELDS) if (a[f] !== b[f]) return false;
  return true;
}

export function planBatch(input: PlanInput): Plan {
  const { now } = input;
  const previous = input.previous ?? input.received ?? null;
  const full = input.previous === null || input.fullDue;
  let added = 0;
  let changed = 0;
  const delta: OutboundRecord[] = [];
  const leaving: string[] = [];
  const compare = (code: string, r: OutboundRecord | undefined): void => {
    const was = previous?.get(code);
    if (r === undefined) {
      if (was !== undefined) leaving.push(code);
      return;
    }
    if (!was) added++;
    else if (!sameRecord(was, r)) changed++;
    else return;
    if (!full) delta.push(r);
  };
  if (previous !== null && input.changed) {
    for (const code of new Set(input.changed)) compare(code, now.get(code));
  } else {
    for (const [code, r] of now) compare(code, r);
    if (previous) for (const code of previous.keys()) if (!now.has(code)) leaving.push(code);
  }
  const counts = { enterprises: now.size, added, changed, removed: leaving.length, heldBack: input.heldBack };

  if (full) {
    const records = input.inOrder ? input.inOrder() : [...now.values()].sort(byCode);
    return { kind: 'FULL', records, counts: { ...counts, enterprises: records.length }, guard: fullGuard(records.length, previous, leaving.length, input.maxRemovalRatio) };
  }
  if (delta.length === 0 && leaving.length === 0) return { kind: 'DELTA', records: null, counts: { ...counts, enterprises: 0 }, guard: null };
  const records = [...delta, ...leaving.map((aeoCode) => departure(aeoCode, input.removedSince(aeoCode)))].sort(byCode);
  return { kind: 'DELTA', records, counts: { ...counts, enterprises: records.length }, guard: null };
}

function fullGuard(size: number, previous: RecordLookup | null, removed: number, ratio: number): string | null {
  if (size === 0) return 'The FULL would hold no enterprises; it waits for approval.';
  if (previous && previous.size > 0 && removed / previous.size > ratio) {
    return `The FULL would drop ${removed} of the ${previous.size} enterprises the partner last received, over ${ratio * 100}%; it waits for approval.`;
  }
  return null;
}
