// Several gateway processes on one PostgreSQL: a scheduled run happens once (advisory lock), and a
// list applied by one process is served by the others within a second (NOTIFY).
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerSync } from '../../src/exchange/sync.js';
import { createServerDatabase } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';

describe('two gateways sharing one PostgreSQL', () => {
  let reader: TestGateway;
  let writer: TestGateway;

  beforeAll(async () => {
    const databaseUrl = await createServerDatabase();
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
});
