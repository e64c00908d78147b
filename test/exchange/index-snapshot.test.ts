// The lookup index reads a partner's events, provenance and state in one snapshot (issue 13,
// item 11): a list published while a refresh reads is seen whole or not at all, never its partner
// state and dataAsOf without its events. A list is published right after the refresh read the events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorIndex } from '../../src/lookup/operator-index.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { ENGINES } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, expectRun, isoDay, makePki, moList, moOperator, push, tempDir, trustAnchor, type TestPki } from './helpers.js';

/** `db` that runs `hook` once, right after the first bulk read (the refresh's events) returned. */
function afterFirstRead(db: Db, hook: () => Promise<void>): Db {
  let fired = false;
  const wrap = <T extends Queryable>(q: T): T => ({
    ...q,
    selectMany: async (sql: string, params?: readonly unknown[]) => {
      const rows = await q.selectMany(sql, params);
      if (!fired) {
        fired = true;
        await hook();
      }
      return rows;
    },
  });
  return { ...wrap(db), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) };
}

describe.each(ENGINES)('index refresh in one snapshot (%s)', (engine) => {
  let tg: TestGateway;
  let pki: TestPki;
  const folders = tempDir('snapshot');
  const generated1 = `${isoDay(-2)}T03:00:00+08:00`;
  const list1 = moList(1, [moOperator('100000001')], { generatedAt: generated1 });
  const list2 = moList(2, [moOperator('100000001'), moOperator('100000009')], { generatedAt: `${isoDay(-1)}T03:00:00+08:00` });

  beforeAll(async () => {
    pki = makePki('MO');
    trustAnchor(`${folders.dir}/certs`, 'MO', pki);
    tg = await startTestGateway({ engine, certsDir: `${folders.dir}/certs` });
    expectRun(await push(tg, 'MO', list1, cmsSign(list1, pki)), 200, 'APPLIED', null);
  });
  afterAll(async () => {
    await tg.close();
    pki.remove();
    folders.remove();
  });

  it('a list published between the refresh reading events and state is not half seen', async () => {
    let publishing: Promise<unknown> = Promise.resolve();
    const db = afterFirstRead(tg.gateway.db, async () => {
      publishing = tg.gateway.pipeline.receive('MO', 'push', { body: list2, signature: cmsSign(list2, pki) });
      // The server engine commits it meanwhile; the embedded one runs it once the refresh's transaction ends.
      await Promise.race([publishing, new Promise((r) => setTimeout(r, engine === 'pg' ? 60_000 : 3_000))]);
    });
    const index = new OperatorIndex(db, ['MO']);
    await index.refresh();
    const seen = { sequence: index.partner('MO')?.lastSequence, dataAsOf: index.listAsKnownAt('MO', Date.now())?.generatedAt, newOperator: index.history('MO100000009') !== undefined };
    expect(seen).toEqual({ sequence: 1, dataAsOf: new Date(Date.parse(generated1)).toISOString(), newOperator: false });

    expect(await publishing).toMatchObject({ outcome: 'APPLIED', sequence: 2 });
    await index.refresh();
    expect(index.partner('MO')?.lastSequence).toBe(2);
    expect(index.history('MO100000009')).toBeDefined();
  });
});
