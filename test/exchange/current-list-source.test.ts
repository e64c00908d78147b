// The diff reads the partner's current list from the lookup index when it is up to date with the
// database, and from the database otherwise. Both must give the same counts.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundPipeline } from '../../src/exchange/pipeline.js';
import { ENGINES } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, euList, euOperators, makePki, tempDir, trustAnchor, type TestPki } from './helpers.js';

describe.each(ENGINES)('current list for the diff on %s', (engine) => {
  let tg: TestGateway;
  let pki: TestPki;
  const operators = euOperators(50);

  const folders = tempDir('source');

  beforeAll(async () => {
    pki = makePki('Source');
    // Trust anchors are read at start: place the CA first.
    trustAnchor(`${folders.dir}/certs`, 'EU', pki);
    tg = await startTestGateway({ engine, dataDir: `${folders.dir}/data`, certsDir: `${folders.dir}/certs` });
    const first = euList(1, operators);
    const run = await tg.gateway.pipeline.receive('EU', 'import', { body: first, signature: cmsSign(first, pki) });
    expect(run.outcome).toBe('APPLIED');
  });
  afterAll(async () => {
    await tg.close();
    pki.remove();
    folders.remove();
  });

  /** A second pipeline on the same store whose in-memory copy is given by the test. */
  const pipelineWith = (cached: { lastEventId: number; current: () => never[] } | undefined) =>
    new InboundPipeline({
      db: tg.gateway.db,
      logger: pino({ level: 'silent' }),
      timeZone: 'Asia/Shanghai',
      partners: tg.gateway.partners,
      registry: tg.gateway.registry,
      onPublished: () => tg.gateway.index.refresh(),
      currentOperators: cached === undefined ? undefined : () => cached,
    });

  it('falls back to the database when the in-memory copy is behind', async () => {
    // An empty copy claiming to be at event 0: were it used, all 50 operators would count as added.
    const next = euList(2, operators.slice(0, 45));
    const run = await pipelineWith({ lastEventId: 0, current: () => [] }).receive('EU', 'import', { body: next, signature: cmsSign(next, pki) });
    expect(run.outcome).toBe('APPLIED');
    expect(run.counts).toMatchObject({ received: 45, added: 0, unchanged: 45, removed: 5 });
  });

  it('uses the index when it is up to date, with the same result', async () => {
    await tg.gateway.index.refresh();
    const next = euList(3, operators.slice(0, 40));
    const run = await tg.gateway.pipeline.receive('EU', 'import', { body: next, signature: cmsSign(next, pki) });
    expect(run.counts).toMatchObject({ received: 40, added: 0, unchanged: 40, removed: 5 });
    expect(tg.gateway.index.lastEventIdOf('EU')).toBeGreaterThan(0);
  });
});
