// Compare a mapped list with the partner's current operators (pure): which statements to record.
import type { ListKind, OperatorEvent, OperatorRecord } from '../domain/types.js';
import type { Counts } from './types.js';

export interface DiffResult {
  /** New statements to append, in record order, then removals. */
  changes: OperatorRecord[];
  counts: Counts;
  /** Operators not revoked after this list is applied. */
  activeAfter: number;
  /** Operators not revoked before it. */
  activeBefore: number;
}

function sameRecord(a: OperatorRecord, b: OperatorRecord): boolean {
  return (
    a.status === b.status &&
    a.statusSince === b.statusSince &&
    a.tier === b.tier &&
    a.name === b.name &&
    a.validFrom === b.validFrom &&
    a.validUntil === b.validUntil &&
    a.partnerStatus === b.partnerStatus &&
    a.declaredCode === b.declaredCode &&
    a.aliases.length === b.aliases.length &&
    a.aliases.every((x, i) => x === b.aliases[i])
  );
}

/** The partner status word we record for an operator that left a FULL list. */
export const REMOVED_FROM_LIST = 'REMOVED_FROM_LIST';

const isRemoval = (e: OperatorRecord): boolean => e.partnerStatus === REMOVED_FROM_LIST;

/** Items per slice of the sliced steps (`indexing`, `finishing`). */
const STEP = 5_000;

/** Runs a sliced step to its end at once. */
export function drain<T>(step: Generator<void, T>): T {
  for (;;) {
    const r = step.next();
    if (r.done) return r.value;
  }
}

/**
 * FULL: every listed operator is stated; current operators missing from it become REVOKED as of
 * `listDate`. DELTA: only the listed operators change. Every step can run in slices, so a caller
 * can let the event loop turn between them: `indexing` (when constructed `sliced`), `add` per slice
 * of records, `finishing`; `finish` runs the last step at once.
 */
export class ListDiff {
  private readonly byId = new Map<string, OperatorEvent>();
  private readonly listed = new Set<string>();
  private readonly changes: OperatorRecord[] = [];
  private readonly counts: Counts = { received: 0, added: 0, changed: 0, removed: 0, unchanged: 0, invalid: 0 };
  private activeBefore = 0;

  /** `sliced`: the caller runs `indexing()` to its end before the first `add`. */
  constructor(
    private readonly kind: ListKind,
    private readonly current: readonly OperatorEvent[],
    private readonly listDate: string,
    sliced = false,
  ) {
    if (!sliced) drain(this.indexing());
  }

  /** Indexes the current operators, yielding after each slice of them. */
  *indexing(): Generator<void, void> {
    let active = 0;
    for (let i = 0; i < this.current.length; i++) {
      const e = this.current[i]!;
      this.byId.set(e.partnerId, e);
      if (e.status !== 'REVOKED') active++;
      if ((i + 1) % STEP === 0) yield;
    }
    this.activeBefore = active;
  }

  add(records: readonly OperatorRecord[]): void {
    const { counts } = this;
    counts.received += records.length;
    for (const record of records) {
      this.listed.add(record.partnerId);
      const before = this.byId.get(record.partnerId);
      if (before && sameRecord(before, record)) {
        counts.unchanged++;
        continue;
      }
      if (!before || isRemoval(before)) counts.added++;
      else counts.changed++;
      this.changes.push(record);
    }
  }

  finish(): DiffResult {
    return drain(this.finishing());
  }

  /** The removals (FULL) and the result, yielding after each slice. */
  *finishing(): Generator<void, DiffResult> {
    const { counts, changes } = this;
    if (this.kind === 'FULL') {
      for (let i = 0; i < this.current.length; i++) {
        if ((i + 1) % STEP === 0) yield;
        const before = this.current[i]!;
        // Already revoked (by the partner, or by an earlier list): leaving the list changes nothing.
        if (this.listed.has(before.partnerId) || before.status === 'REVOKED') continue;
        counts.removed++;
        changes.push({
          partnerId: before.partnerId,
          declaredCode: before.declaredCode,
          aliases: before.aliases,
          name: before.name,
          tier: before.tier,
          status: 'REVOKED',
          partnerStatus: REMOVED_FROM_LIST,
          statusSince: this.listDate,
          validFrom: before.validFrom,
          validUntil: before.validUntil,
        });
      }
    }
    // Active after = active before, adjusted by each change's status against the statement it replaces.
    let activeAfter = this.activeBefore;
    for (let i = 0; i < changes.length; i++) {
      if ((i + 1) % STEP === 0) yield;
      const c = changes[i]!;
      const before = this.byId.get(c.partnerId);
      const wasActive = before !== undefined && before.status !== 'REVOKED';
      const isActive = c.status !== 'REVOKED';
      activeAfter += Number(isActive) - Number(wasActive);
    }
    return { changes, counts, activeAfter, activeBefore: this.activeBefore };
  }
}

/** The whole diff in one call. */
export function diffList(kind: ListKind, records: readonly OperatorRecord[], current: readonly OperatorEvent[], listDate: string): DiffResult {
  const diff = new ListDiff(kind, current, listDate);
  diff.add(records);
  return diff.finish();
}
