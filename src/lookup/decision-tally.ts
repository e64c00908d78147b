// Lookup decisions counted per (partner, decision) for aeo_lookup_decisions_total. The hot path only
// bumps a number in a cell it already holds (cached answers keep theirs); the metrics read the cells
// at scrape time.
import { DECISION_ORDER, type Decision } from '../domain/types.js';

/** Every decision, in the order decide() checks them (one list: src/domain/types.ts). */
export const DECISIONS = DECISION_ORDER;

/** The partner label of an answer without one (no agreement, not a code). */
export const NO_PARTNER = 'none';

export interface TallyCell {
  readonly partner: string;
  readonly decision: Decision;
  n: number;
}

export class DecisionTally {
  private readonly cells = new Map<string, TallyCell>();

  cell(partner: string | null, decision: Decision): TallyCell {
    const p = partner ?? NO_PARTNER;
    const key = `${p}|${decision}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { partner: p, decision, n: 0 };
      this.cells.set(key, cell);
    }
    return cell;
  }

  count(partner: string | null, decision: Decision): void {
    this.cell(partner, decision).n++;
  }

  all(): readonly TallyCell[] {
    return [...this.cells.values()];
  }
}
