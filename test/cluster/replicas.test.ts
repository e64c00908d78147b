// Several gateway processes on one PostgreSQL: a scheduled run happens once (advisory lock), and a
// list applied by one process is served by the others within a second (NOTIFY).
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerSync } from '../../src/exchange/sync.js';
import { createServerDatabase } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';

/** Polls `probe` every 20 ms until it is true or `ms` have passed; returns the time it took. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

const agreementsFile = JSON.parse(readFileSync(new URL('../../partners/agreements.json', import.meta.url), 'utf8')) as {
  agreements: { id: string; notes: string }[];
};

describe('two gateways sharing one PostgreSQL', () => {
  let reader: TestGateway;
  let writer: TestGateway;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createServerDatabase();
    // The reader starts first, on an empty database, and never pulls by itself.
    reader = await startTestGateway({ engine: 'pg', databaseUrl });
    writer = await startTestGateway({ engine: 'pg', databaseUrl, sandbox: true, syncOnStart: false });
  });
  afterAll(async () => {
    await writer?.close();
    await reader?.close();
  });

  it('serves a list applied by the other process within a second', async () => {
    const lookup = () => api(`${reader.url}/v1/recognition/DE123456789012345`, reader.keys.lookup);
    expect((await lookup()).body.decision).toBe('NO_DATA');
    const run = await api(`${writer.url}/admin/partners/EU/sync`, writer.keys.admin, { method: 'POST' });
    expect(run.body.outcome).toBe('APPLIED');
    const appliedAt = Date.now();
    let decision = '';
    while (Date.now() - appliedAt < 1000) {
      decision = (await lookup()).body.decision;
      if (decision === 'RECOGNISED') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(decision).toBe('RECOGNISED');
    expect(Date.now() - appliedAt).toBeLessThan(1000);
  });

  it('runs a partner sync once when both processes try at the same time', async () => {
    await api(`${writer.url}/sandbox/hk/advance`, null, { method: 'POST' });
    const url = `${writer.url}/sandbox/hk/aeo-list`;
    const syncOf = (gw: TestGateway) =>
      new PartnerSync({
        db: gw.gateway.db,
        logger: pino({ level: 'silent' }),
        partners: writer.gateway.partners,
        pipeline: gw.gateway.pipeline,
        pullUrlOf: () => url,
      });
    const before = (await api(`${reader.url}/v1/exchanges?partner=HK&limit=500`, reader.keys.admin)).body.exchanges.length;
    const [a, b] = await Promise.all([syncOf(writer).sync('HK', 'schedule'), syncOf(reader).sync('HK', 'schedule')]);
    const ran = [a, b].filter((r) => r !== null);
    expect(ran).toHaveLength(1);
    const after = (await api(`${reader.url}/v1/exchanges?partner=HK&limit=500`, reader.keys.admin)).body.exchanges;
    expect(after.length).toBe(before + 1);
  });

  it('hears again after its LISTEN connection is killed: a registry edit and a new list arrive within a second', async () => {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const listeners = async (): Promise<number> =>
      (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'aeo-gateway-listen'`)).rows[0].n;
    try {
      expect(await listeners()).toBe(2);
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'aeo-gateway-listen'`,
      );
      await within(2000, async () => (await listeners()) === 0);

      // Edited while nobody listens: the NOTIFY is lost, the reconnect's catch-up must bring it.
      const sg = agreementsFile.agreements.find((a) => a.id === 'CN-SG')!;
      const notes = `edited while the listeners were down ${Date.now()}`;
      const put = await api(`${writer.url}/admin/agreements/CN-SG`, writer.keys.admin, { method: 'PUT', body: { ...sg, notes } });
      expect(put.status).toBe(200);
      const readerNotes = async (): Promise<boolean> => (await api(`${reader.url}/v1/agreements/CN-SG`, reader.keys.lookup)).body.notes === notes;
      // Backoff starts at 50 ms: well inside a second, far from the 30 s safety refresh.
      await within(1500, readerNotes);
      await within(2000, async () => (await listeners()) === 2);

      // And listening again: a list applied by the writer now is served within a second.
      await api(`${writer.url}/sandbox/hk/advance`, null, { method: 'POST' });
      const run = await api(`${writer.url}/admin/partners/HK/sync`, writer.keys.admin, { method: 'POST' });
      expect(run.body.outcome).toBe('APPLIED');
      const hkSequence = async (): Promise<boolean> => {
        const partners = (await api(`${reader.url}/v1/partners`, reader.keys.admin)).body.partners as { code: string; lastSequence: number }[];
        return partners.find((p) => p.code === 'HK')?.lastSequence === run.body.sequence;
      };
      expect(await within(1000, hkSequence)).toBeLessThan(1000);
    } finally {
      await admin.end();
    }
  });
});
