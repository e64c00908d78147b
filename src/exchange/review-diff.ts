// A quarantine review's view of a diff (pure): which operators a held list would add, change or
// remove, with their state now and after, one page at a time.
import type { OperatorEvent, OperatorRecord } from '../domain/types.js';
import { REMOVED_FROM_LIST, type DiffResult } from './diff.js';

export type DiffSection = 'added' | 'changed' | 'removed';

interface StateView {
  status: string;
  partnerStatus: string;
  tier: string;
  statusSince: string;
  validUntil: string | null;
}

export interface DiffRowView {
  partnerId: string;
  declaredCode: string;
  name: string;
  before: StateView | null;
  after: StateView;
}

const stateOf = (r: OperatorRecord): StateView => ({
  status: r.status,
  partnerStatus: r.partnerStatus,
  tier: r.tier,
  statusSince: r.statusSince,
  validUntil: r.validUntil,
});

function sectionOf(change: OperatorRecord, before: OperatorEvent | undefined): DiffSection {
  if (change.partnerStatus === REMOVED_FROM_LIST && before && before.partnerStatus !== REMOVED_FROM_LIST) return 'removed';
  if (!before || before.partnerStatus === REMOVED_FROM_LIST) return 'added';
  return 'changed';
}

export function reviewPage(
  diff: DiffResult,
  current: readonly OperatorEvent[],
  section: DiffSection,
  offset: number,
  limit: number,
): { total: number; rows: DiffRowView[] } {
  const byId = new Map(current.map((e) => [e.partnerId, e]));
  const rows: DiffRowView[] = [];
  let total = 0;
  for (const change of diff.changes) {
    const before = byId.get(change.partnerId);
    if (sectionOf(change, before) !== section) continue;
    if (total >= offset && rows.length < limit) {
      rows.push({ partnerId: change.partnerId, declaredCode: change.declaredCode, name: change.name, before: before ? stateOf(before) : null, after: stateOf(change) });
    }
    total++;
  }
  return { total, rows };
}

/** Share of the operators active now that the list would remove (0 when none are active). */
export const removalRatio = (diff: DiffResult): number => (diff.activeBefore === 0 ? 0 : diff.counts.removed / diff.activeBefore);
