import { describe, expect, it } from 'vitest';
import type { OperatorEvent, OperatorRecord } from '../domain/types.js';
import { diffList, ListDiff, REMOVED_FROM_LIST } from './diff.js';
import { guardList } from './guard.js';

const record = (id: string, over: Partial<OperatorRecord> = {}): OperatorRecord => ({
  partnerId: id,
  declaredCode: `MO${id}`,
  aliases: [],
  name: `Operator ${id}`,
  tier: 'A',
  status: 'VALID',
  partnerStatus: 'VALIDO',
  statusSince: '2024-01-01',
  validFrom: null,
  validUntil: null,
  ...over,
});
const event = (r: OperatorRecord): OperatorEvent => ({ ...r, partner: 'MO', exchangeId: 'e0', recordedAt: 1 });

const current = [
  event(record('1')),
  event(record('2')),
  event(record('3')),
  event(record('4', { status: 'REVOKED', partnerStatus: 'CANCELADO' })),
  event(record('5', { status: 'REVOKED', partnerStatus: REMOVED_FROM_LIST })),
];

describe('diffList', () => {
  it('FULL: counts added, changed, unchanged and removed; removals are REVOKED as of the list date', () => {
    const records = [record('1'), record('2', { status: 'SUSPENDED', partnerStatus: 'SUSPENSO' }), record('5'), record('6')];
    const diff = diffList('FULL', records, current, '2026-11-20');
    expect(diff.counts).toEqual({ received: 4, added: 2, changed: 1, removed: 1, unchanged: 1, invalid: 0 });
    const removal = diff.changes.find((c) => c.partnerId === '3');
    expect(removal).toMatchObject({ status: 'REVOKED', partnerStatus: REMOVED_FROM_LIST, statusSince: '2026-11-20' });
    // Already revoked by the partner and absent: not a removal, no new statement.
    expect(diff.changes.some((c) => c.partnerId === '4')).toBe(false);
    expect(diff.activeBefore).toBe(3);
    // Not revoked afterwards: 1, 2 (suspended), 5 (listed again) and 6 (new); 3 left, 4 stays revoked.
    expect(diff.activeAfter).toBe(4);
  });

  it('DELTA: only the listed operators change, nothing is removed', () => {
    const diff = diffList('DELTA', [record('3', { name: 'Renamed' })], current, '2026-11-20');
    expect(diff.counts).toEqual({ received: 1, added: 0, changed: 1, removed: 0, unchanged: 0, invalid: 0 });
    expect(diff.changes).toHaveLength(1);
    expect(diff.activeAfter).toBe(3);
  });

  it('gives the same result fed in slices', () => {
    const records = Array.from({ length: 25 }, (_, i) => record(String(i)));
    const whole = diffList('FULL', records, current, '2026-11-20');
    const sliced = new ListDiff('FULL', current, '2026-11-20');
    for (let i = 0; i < records.length; i += 7) sliced.add(records.slice(i, i + 7));
    expect(sliced.finish()).toEqual(whole);
  });

  it('gives the same result with every step sliced, over more operators than one slice', () => {
    // 12 000 current operators (a third revoked) and a list keeping every other one, renaming some.
    const many = Array.from({ length: 12_000 }, (_, i) => event(record(String(i), i % 3 === 0 ? { status: 'REVOKED', partnerStatus: 'CANCELADO' } : {})));
    const records = Array.from({ length: 7_000 }, (_, i) => record(String(i * 2), i % 5 === 0 ? { name: 'Renamed' } : {}));
    const whole = diffList('FULL', records, many, '2026-11-20');
    const sliced = new ListDiff('FULL', many, '2026-11-20', true);
    let pauses = 0;
    const run = <T>(step: Generator<void, T>): T => {
      for (;;) {
        const r = step.next();
        if (r.done) return r.value;
        pauses++;
      }
    };
    run(sliced.indexing());
    const afterIndexing = pauses;
    for (let i = 0; i < records.length; i += 5_000) sliced.add(records.slice(i, i + 5_000));
    expect(run(sliced.finishing())).toEqual(whole);
    expect(afterIndexing).toBe(2); // 12 000 operators: a pause after 5 000 and 10 000
    expect(pauses).toBeGreaterThan(afterIndexing);
    expect(whole.counts.removed).toBeGreaterThan(0);
  });
});

describe('guardList', () => {
  it('holds an empty FULL list, and a FULL list removing more than the ratio of active operators', () => {
    expect(guardList('FULL', diffList('FULL', [], current, '2026-11-20'), 0.2)?.reason).toBe('EMPTY_LIST');
    const oneOfThree = diffList('FULL', [record('1'), record('2')], current, '2026-11-20');
    expect(oneOfThree.counts.removed).toBe(1);
    expect(guardList('FULL', oneOfThree, 0.2)?.reason).toBe('MASS_REMOVAL');
    expect(guardList('FULL', oneOfThree, 0.34)).toBeNull();
    expect(guardList('DELTA', diffList('DELTA', [], current, '2026-11-20'), 0.2)).toBeNull();
    expect(guardList('FULL', diffList('FULL', [record('9')], [], '2026-11-20'), 0.2)).toBeNull();
  });
});
