// What a run records (issue 13, items 3 and 11), on both engines: the events' transaction time is the
// database's clock, not the publishing process's (replicas agree on it); and a run always ends with
// an outcome and a reason, even when the database refuses the record of how it ended.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundPipeline } from '../../src/exchange/pipeline.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { ENGINES } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, getExchange, makePki, moList, moOperator, tempDir, trustAnchor, type TestPki } from './helpers.js';

const FINISH_RUN = /^\s*UPDATE exchanges SET finished_at/;

/** `db` whose first `failures` run-end records (inside a transaction or not) are refused, as for a value the column cannot hold. */
function refusingRunEnds(db: Db, failures: number): Db {
  let left = failures;
  const guard = <T extends Queryable>(q: T): T => ({
    ...q,
    query: (sql: string, params?: readonly unknown[]) => {
      if (FINISH_RUN.test(sql) && left-- > 0) return Promise.reject(Object.assign(new Error('date/time field value out of range'), { code: '22008' }));
      return q.query(sql, params);
    },
  });
  return { ...guard(db), transaction: (fn) => db.transaction((tx) => fn(guard(tx))) };
}

describe.each(ENGINES)('run records (%s)', (engine) => {
  let tg: TestGateway;
  let pki: TestPki;
  const folders = tempDir('records');
  let sequence = 0;
  const nextList = (): Buffer => {
    sequence++;
    return moList(sequence, [moOperator('100000001', { denominacao: { pt: `Versão ${sequence} Lda`, zh: '測試' } })], {
      generatedAt: `${new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`,
    });
  };

  beforeAll(async () => {
    pki = makePki('MO');
    trustAnchor(`${folders.dir}/certs`, 'MO', pki);
    tg = await startTestGateway({ engine, certsDir: `${folders.dir}/certs` });
  });
  afterAll(async () => {
    await tg.close();
    pki.remove();
    folders.remove();
  });

  const pipeline = (over: { db?: Db; now?: () => Date }) =>
    new InboundPipeline({
      db: over.db ?? tg.gateway.db,
      logger: pino({ level: 'silent' }),
      timeZone: 'Asia/Shanghai',
      partners: tg.gateway.partners,
      registry: tg.gateway.registry,
      onPublished: (p) => tg.gateway.index.refresh(p),
      ...(over.now ? { now: over.now } : {}),
    });

  it("events are recorded at the database's time, whatever the publishing process's clock says", async () => {
    const list = nextList();
    // A replica whose clock runs two hours ahead (still inside every certificate's validity).
    const run = await pipeline({ now: () => new Date(Date.now() + 2 * 3_600_000) }).receive('MO', 'import', { body: list, signature: cmsSign(list, pki) });
    expect(run.outcome).toBe('APPLIED');
    const [db] = await tg.gateway.db.query<{ ms: number }>('SELECT (extract(epoch FROM now()) * 1000)::float8 AS ms');
    expect(Math.abs(Date.parse(run.appliedAt!) - db!.ms)).toBeLessThan(60_000);
    const [event] = await tg.gateway.db.query<{ ms: number }>(
      'SELECT (extract(epoch FROM recorded_at) * 1000)::float8 AS ms FROM operator_events WHERE exchange_id = $1',
      [run.id],
    );
    expect(event!.ms).toBe(Date.parse(run.appliedAt!));
    // So a lookup as known a second from now already sees it (with the replica's clock it would not).
    const at = Date.now() + 1000;
    expect(tg.gateway.lookup.recognise('MO100000001', '2025-01-01', at, at).provenance?.exchangeId).toBe(run.id);
  });

  it('a run whose end the database refuses (in the publish and again after) still ends FAILED / INTERNAL with a reason', async () => {
    const list = nextList();
    const run = await pipeline({ db: refusingRunEnds(tg.gateway.db, 2) }).receive('MO', 'import', { body: list, signature: cmsSign(list, pki) });
    expect(run).toMatchObject({ outcome: 'FAILED', reason: 'INTERNAL', reasonMessage: expect.stringMatching(/could not be recorded/) });
    const seen = await getExchange(tg, run.id);
    expect(seen.body).toMatchObject({ outcome: 'FAILED', reason: 'INTERNAL' });
    expect(typeof seen.body.finishedAt).toBe('string');
    // Nothing of the list was applied: its publish transaction rolled back.
    const [events] = await tg.gateway.db.query<{ n: number }>('SELECT count(*)::int AS n FROM operator_events WHERE exchange_id = $1', [run.id]);
    expect(events!.n).toBe(0);
  });

  it('when the database refuses every record of the run, the caller gets a coded error, not a crash', async () => {
    const list = nextList();
    const error = await pipeline({ db: refusingRunEnds(tg.gateway.db, 3) })
      .receive('MO', 'import', { body: list, signature: cmsSign(list, pki) })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'NOT_READY', status: 503 });
  });
});
