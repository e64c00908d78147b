// The lookup index as loaded from a real store (both engines), in small pages: histories across
// pages and refreshes, codes claimed by another operator, partner ids that are not codes, and a
// refresh that fails half-way leaving the index as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorEvent } from '../../src/domain/types.js';
import { OperatorIndex } from '../../src/lookup/operator-index.js';
import type { Db } from '../../src/store/db.js';
import { insertEvents } from '../../src/store/operators-repo.js';
import { ENGINES, openTestDb } from '../support/databases.js';

const EXCHANGE = '00000000-0000-4000-8000-0000000000e1';

function event(partner: string, partnerId: string, declaredCode: string, over: Partial<OperatorEvent> = {}): OperatorEvent {
  return {
    partner, partnerId, declaredCode, aliases: [], name: `Operator ${partnerId}`, tier: 'AEOF', status: 'VALID', partnerStatus: 'VALID',
    statusSince: '2024-01-01', validFrom: '2024-01-01', validUntil: null, exchangeId: EXCHANGE, recordedAt: 0, ...over,
  };
}

const names = (events: readonly OperatorEvent[] | undefined): string[] | undefined => events?.map((e) => e.name);

describe.each(ENGINES)('operator index loaded from the store (%s)', (engine) => {
  let db: Db;
  let index: OperatorIndex;
  let at = Date.parse('2026-01-01T00:00:00Z');
  // In the order given, one insert per run of the same partner (a publish writes one partner's list).
  const write = async (events: OperatorEvent[]): Promise<void> => {
    const recordedAt = new Date((at += 1000));
    for (let i = 0; i < events.length; ) {
      const { partner, exchangeId } = events[i]!;
      let end = i;
      while (end < events.length && events[end]!.partner === partner) end++;
      await insertEvents(db, { partner, exchangeId }, events.slice(i, end), recordedAt);
      i = end;
    }
  };

  beforeAll(async () => {
    db = await openTestDb(engine);
    await db.query(`INSERT INTO exchanges (id, partner, direction, trigger, started_at, applied_at) VALUES ($1, 'EU', 'inbound', 'import', now(), now())`, [EXCHANGE]);
    index = new OperatorIndex(db, ['EU', 'MO'], 2);
  });
  afterAll(() => db.close());

  it('reads every page, keeps each history in recording order, and finds old aliases', async () => {
    await write([
      event('EU', 'DE1', 'DE1', { aliases: ['DEAEOF1/20'], name: 'one' }),
      event('EU', 'DE2', 'DE2', { aliases: ['DEAEOC2/20', 'DEAEOS2/21'] }),
      event('MO', '100000001', 'MO100000001', { name: 'mo one' }),
      event('EU', 'DE3', 'DE3'),
      event('EU', 'DE1', 'DE1', { aliases: ['DEAEOF1/25'], name: 'one renewed', validFrom: '2025-01-01' }),
    ]);
    await index.refresh();
    expect(index.operatorCount).toBe(4);
    expect(names(index.history('DE1'))).toEqual(['one', 'one renewed']);
    expect(index.history('DEAEOF1/20')).toEqual(index.history('DEAEOF1/25'));
    expect(index.history('DE1')![1]).toEqual({ ...event('EU', 'DE1', 'DE1', { aliases: ['DEAEOF1/25'], name: 'one renewed', validFrom: '2025-01-01' }), recordedAt: at });
    expect(index.history('DEAEOS2/21')![0]!.aliases).toEqual(['DEAEOC2/20', 'DEAEOS2/21']);
    expect(index.history('DE9')).toBeUndefined();
    expect(index.lastEventIdOf('EU')).toBeGreaterThan(index.lastEventIdOf('MO'));
  });

  it('links a partner id that is not a code (MO) into one history, across refreshes', async () => {
    const before = index.version;
    await write([event('MO', '100000001', 'MO100000001', { name: 'mo suspended', status: 'SUSPENDED', partnerStatus: 'SUSPENSO' })]);
    await index.refresh('MO');
    expect(index.version).toBeGreaterThan(before);
    expect(names(index.history('MO100000001'))).toEqual(['mo one', 'mo suspended']);
    expect(index.operatorCount).toBe(4);
  });

  it('a code another operator claims leads to that one; the first is still found by its partner id', async () => {
    // DE4 declares DE1's EORI as an alias: the newest claim wins that code.
    await write([event('EU', 'DE4', 'DE4', { aliases: ['DE1'], name: 'four' })]);
    await index.refresh();
    expect(names(index.history('DE1'))).toEqual(['four']);
    // DE1's next statement still joins DE1's own history (its old aliases lead there).
    await write([event('EU', 'DE1', 'DE1', { aliases: ['DEAEOF1/25'], name: 'one revoked', status: 'REVOKED' })]);
    await index.refresh();
    expect(names(index.history('DEAEOF1/20'))).toEqual(['one', 'one renewed', 'one revoked']);
    expect(names(index.history('DE1'))).toEqual(['one', 'one renewed', 'one revoked']);
    expect(index.operatorCount).toBe(5);
    expect(index.currentOf('EU').map((e) => e.name).sort()).toEqual(['Operator DE2', 'Operator DE3', 'four', 'one revoked']);
    expect(index.currentOf('MO').map((e) => e.name)).toEqual(['mo suspended']);
  });

  it('a refresh that fails after reading a page changes nothing; the next one reads it all', async () => {
    await write([event('EU', 'DE5', 'DE5'), event('EU', 'DE6', 'DE6'), event('EU', 'DE7', 'DE7')]);
    let fail = true;
    const failing: Db = {
      ...db,
      transaction: (fn) =>
        db.transaction((tx) =>
          fn({
            ...tx,
            query: async (sql, params) => {
              if (fail && sql.includes('FROM exchanges')) throw new Error('connection lost');
              return tx.query(sql, params);
            },
          }),
        ),
    };
    const shaky = new OperatorIndex(failing, ['EU'], 2);
    await expect(shaky.refresh()).rejects.toThrow('connection lost');
    expect(shaky.operatorCount).toBe(0);
    expect(shaky.history('DE5')).toBeUndefined();
    fail = false;
    await shaky.refresh();
    expect(shaky.operatorCount).toBe(7);
    expect(names(shaky.history('DE5'))).toEqual(['Operator DE5']);
    expect(names(shaky.history('DEAEOF1/20'))).toEqual(['one', 'one renewed', 'one revoked']);
  });
});
