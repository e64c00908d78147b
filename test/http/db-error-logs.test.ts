// A database error never puts the values sent with the statement into a log line (contract 1: no
// payloads in logs). The store is made to refuse every row, then the log is searched for the values.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';

const agreements = JSON.parse(readFileSync(new URL('../../partners/agreements.json', import.meta.url), 'utf8')) as {
  agreements: { id: string }[];
};

describe.each(ENGINES)('database errors in the log on %s', (engine) => {
  let gw: TestGateway;
  const logLines: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ engine, sandbox: true, syncOnStart: false, logLines });
  });
  afterAll(async () => gw?.close());

  it('a refused registry insert logs its SQLSTATE and table, not the body', async () => {
    await gw.gateway.db.exec('ALTER TABLE agreement_revisions ADD CONSTRAINT refuse_all CHECK (false) NOT VALID');
    // In `name`: PostgreSQL's "Failing row contains" detail shows the first 64 bytes of each value.
    const marker = `SECRET${Date.now()}`;
    const sg = agreements.agreements.find((a) => a.id === 'CN-SG')!;
    const res = await api(`${gw.url}/admin/agreements/CN-SG`, gw.keys.admin, { method: 'PUT', body: { ...sg, name: marker } });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    const line = logLines.find((l) => l.includes('unhandled error'));
    expect(line).toBeDefined();
    expect(line).toContain('23514'); // check_violation: the log still says what went wrong
    expect(line).toContain('refuse_all');
    expect(logLines.join('\n')).not.toContain(marker);
  });

  it('a refused event insert during a sync logs no operator data', async () => {
    await gw.gateway.db.exec('ALTER TABLE operator_events ADD CONSTRAINT refuse_all_events CHECK (false) NOT VALID');
    logLines.length = 0;
    const run = await api(`${gw.url}/admin/partners/HK/sync`, gw.keys.admin, { method: 'POST' });
    expect(run.body.outcome).toBe('FAILED');
    const log = logLines.join('\n');
    expect(log).toContain('23514');
    expect(log).toContain('refuse_all_events');
    expect(log).not.toContain('HK100000000000001');
    expect(log).not.toMatch(/"params"|"detail"|"where"|"query"/);
  });
});
