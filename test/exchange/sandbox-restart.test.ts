// A sandbox start does no work twice (issue 7, item 6): a restart on the same data finds the
// simulated partners' current lists applied and pulls none of them again; after `advance`, only
// that partner is pulled at the next start. The CA is generated once. Outbound likewise: the first start
// sends each partner its first FULL; a restart builds nothing unless the register changed. On both engines.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_SEQUENCE_BASE } from '../../src/sandbox/render.js';
import { createServerDatabase, ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { partnerView, tempDir, type RunView } from './helpers.js';

async function startupRuns(tg: TestGateway): Promise<RunView[]> {
  const runs = await api(`${tg.url}/v1/exchanges?limit=50`, tg.keys.admin);
  expect(runs.status).toBe(200);
  return (runs.body.exchanges as RunView[]).filter((r) => r.trigger === 'startup');
}

async function startupBatches(tg: TestGateway): Promise<{ partner: string; kind: string; state: string }[]> {
  const res = await api(`${tg.url}/v1/outbound?limit=50`, tg.keys.admin);
  expect(res.status).toBe(200);
  return (res.body.batches as { partner: string; kind: string; state: string; trigger: string }[]).filter((b) => b.trigger === 'startup');
}

describe.each(ENGINES)('sandbox restart (%s)', (engine) => {
  const data = tempDir('sandbox-restart');
  afterAll(() => data.remove());

  it('pulls at the first start, not at a restart, and only the advanced partner after advance', async () => {
    const databaseUrl = engine === 'pg' ? await createServerDatabase() : undefined;
    const start = (): Promise<TestGateway> => startTestGateway({ engine, sandbox: true, dataDir: data.dir, ...(databaseUrl ? { databaseUrl } : {}) });
    const caFile = path.join(data.dir, 'sandbox', 'anchors', 'eu', 'ca.pem');

    let tg = await start();
    expect((await startupRuns(tg)).map((r) => r.partner).sort()).toEqual(['EU', 'HK', 'MO']);
    expect((await startupBatches(tg)).map((b) => `${b.partner} ${b.kind}`).sort()).toEqual(['EU FULL', 'HK FULL', 'MO FULL']);
    const ca = readFileSync(caFile, 'utf8');
    await tg.close();

    tg = await start();
    expect(await startupRuns(tg)).toHaveLength(3); // none added
    expect(await startupBatches(tg)).toHaveLength(3); // the register did not change: no outbound build
    expect((await partnerView(tg, 'EU')).lastSequence).toBe(SANDBOX_SEQUENCE_BASE.EU);
    expect(readFileSync(caFile, 'utf8')).toBe(ca);
    expect((await api(`${tg.url}/sandbox/hk/advance`, null, { method: 'POST' })).status).toBe(200);
    expect((await api(`${tg.url}/sandbox/domestic/advance`, tg.keys.admin, { method: 'POST' })).status).toBe(200);
    await tg.close();

    tg = await start();
    const runs = await startupRuns(tg);
    expect(runs).toHaveLength(4);
    expect(runs[0]).toMatchObject({ partner: 'HK', outcome: 'APPLIED', sequence: SANDBOX_SEQUENCE_BASE.HK + 1 });
    // The register changed while stopped: each partner's DELTA is built at this start.
    const batches = await startupBatches(tg);
    expect(batches.filter((b) => b.kind === 'DELTA').map((b) => b.partner).sort()).toEqual(['EU', 'HK', 'MO']);
    await tg.close();
  }, 300_000);
});
