// The register in memory (src/domestic/register-cache.ts) against the database on both engines:
// after every kind of import it equals the register read afresh, and an enterprise's history is in
// recording order (event ids past 9, 99: compared as numbers, not as text).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterCache } from '../../src/domestic/register-cache.js';
import { DomesticRegister } from '../../src/domestic/register.js';
import { currentRegisterWithId, enterpriseHistory } from '../../src/domestic/repo.js';
import type { Enterprise } from '../../src/domestic/types.js';
import { sandboxRegister } from '../../src/sandbox/domestic.js';
import type { Db } from '../../src/store/db.js';
import { ENGINES, openTestDb } from '../support/databases.js';

const REGISTER = sandboxRegister(120);
const sorted = (m: ReadonlyMap<string, Enterprise>): Enterprise[] => [...m.values()].sort((a, b) => (a.customsCode < b.customsCode ? -1 : 1));

describe.each(ENGINES)('the register in memory (%s)', (engine) => {
  let db: Db;
  let register: DomesticRegister;
  const expectCurrent = async (): Promise<void> => {
    const fresh = (await currentRegisterWithId(db)).register;
    expect(sorted(await register.current())).toEqual(sorted(fresh));
    // a second cache, loaded from scratch now, agrees as well
    expect(sorted(await new RegisterCache().read(db))).toEqual(sorted(fresh));
  };

  beforeAll(async () => {
    db = await openTestDb(engine);
    register = new DomesticRegister(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('follows FULL and DELTA imports, a removal, and an approved held import', async () => {
    expect((await register.current()).size).toBe(0);
    expect((await register.import({ kind: 'FULL', records: REGISTER }, 'test', 'test')).outcome).toBe('APPLIED');
    await expectCurrent();
    const changed = REGISTER.slice(0, 15).map((e, i) => ({ ...e, nameZh: `${e.nameZh}${i}`, ...(i % 2 ? { status: 'SUSPENDED' as const, statusSince: '2026-11-30', rectificationUntil: null } : {}) }));
    const delta = await register.import({ kind: 'DELTA', records: changed }, 'test', 'test');
    expect(delta.outcome, JSON.stringify(delta.problems)).toBe('APPLIED');
    await expectCurrent();
    // a FULL without 10 of them: they leave the register
    expect((await register.import({ kind: 'FULL', records: [...changed, ...REGISTER.slice(25)] }, 'test', 'test')).outcome).toBe('APPLIED');
    expect((await register.current()).size).toBe(110);
    await expectCurrent();
    const held = await register.import({ kind: 'FULL', records: REGISTER.slice(0, 40) }, 'test', 'test');
    expect(held.outcome).toBe('QUARANTINED');
    await expectCurrent();
    expect((await register.review(held.id, 'approved', 'test')).outcome).toBe('APPLIED');
    expect((await register.current()).size).toBe(40);
    await expectCurrent();
    // a rejected import (one bad record) changes nothing
    const bad = await register.import({ kind: 'DELTA', records: [{ ...REGISTER[0]!, uscc: 'X' }] }, 'test', 'test');
    expect(bad.outcome).toBe('REJECTED');
    await expectCurrent();
  });

  it("keeps an enterprise's history in recording order", async () => {
    const code = REGISTER[1]!.customsCode;
    for (let i = 0; i < 12; i++) await register.import({ kind: 'DELTA', records: [{ ...REGISTER[1]!, nameZh: `名${i}` }] }, 'test', 'test');
    const history = await enterpriseHistory(db, code);
    const ids = history.map((h) => h.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(history.at(-1)!.nameZh).toBe('名11');
    expect((await register.current()).get(code)!.nameZh).toBe('名11');
  });

  it('logs the codes each read applied: a follower catches up on those alone, and a new load voids old marks', async () => {
    const cache = register.cache;
    await register.current();
    const mark = cache.mark();
    expect(cache.changedSince(mark)).toEqual([]);
    const changed = REGISTER.slice(2, 7).map((e) => ({ ...e, addressEn: `${e.addressEn} (moved)` }));
    expect((await register.import({ kind: 'DELTA', records: changed }, 'test', 'test')).outcome).toBe('APPLIED');
    await register.current();
    expect([...new Set(cache.changedSince(mark))].sort()).toEqual(changed.map((e) => e.customsCode).sort());
    // nothing since the newest mark; a rejected import logs nothing
    const after = cache.mark();
    await register.import({ kind: 'DELTA', records: [{ ...REGISTER[3]!, uscc: 'X' }] }, 'test', 'test');
    await register.current();
    expect(cache.changedSince(after)).toEqual([]);
    // another cache's marks (another load) are not its own
    const other = new RegisterCache();
    await other.read(db);
    expect(other.changedSince(mark)).toBeNull();
  });
});
