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

/**
 * FULL: every listed operator is stated; current operators missing from it become REVOKED as of
 * `listDate`. DELTA: only the listed operators change.
 */
export function diffList(
  kind: ListKind,
  records: readonly OperatorRecord[],
  current: readonly OperatorEvent[],
  listDate: string,
): DiffResult {
  const byId = new Map<string, OperatorEvent>();
  for (const e of current) byId.set(e.partnerId, e);
  const counts: Counts = { received: records.length, added: 0, changed: 0, removed: 0, unchanged: 0, invalid: 0 };
  const changes: OperatorRecord[] = [];
  const listed = new Set<string>();
  let activeBefore = 0;
  for (const e of current) if (e.status !== 'REVOKED') activeBefore++;

  for (const record of records) {
    listed.add(record.partnerId);
    const before = byId.get(record.partnerId);
    if (before && sameRecord(before, record)) {
      counts.unchanged++;
      continue;
    }
    if (!before || isRemoval(before)) counts.added++;
    else counts.changed++;
    changes.push(record);
  }
  if (kind === 'FULL') {
    for (const before of current) {
      // Already revoked (by the partner, or by an earlier list): leaving the list changes nothing.
      if (listed.has(before.partnerId) || before.status === 'REVOKED') continue;
      counts.removed++;
      changes.push({
        partnerId: before.partnerId,
        declaredCode: before.declaredCode,
        aliases: before.aliases,
        name: before.name,
        tier: before.tier,
        status: 'REVOKED',
        partnerStatus: REMOVED_FROM_LIST,
        statusSince: listDate,
        validUntil: before.validUntil,
      });
    }
  }
  let activeAfter = 0;
  const after = new Map<string, OperatorRecord>(byId);
  for (const c of changes) after.set(c.partnerId, c);
  for (const r of after.values()) if (r.status !== 'REVOKED') activeAfter++;
  return { changes, counts, activeAfter, activeBefore };
}
