// The diff reads the partner's current list from the lookup index when it is up to date with the
// database, and from the database otherwise. Both must give the same counts, and the test observes
// which source was read.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorEvent } from '../../src/domain/types.js';
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

  /** A second pipeline on the same store whose in-memory copy is given by the test; `calls` counts reads of it. */
  const sources = { calls: 0 };
  const pipelineWith = (copy: { lastEventId: () => number; current: () => OperatorEvent[] }) =>
    new InboundPipeline({
      db: tg.gateway.db,
      logger: pino({ level: 'silent' }),
      timeZone: 'Asia/Shanghai',
      partners: tg.gateway.partners,
      registry: tg.gateway.registry,
      onPublished: () => tg.gateway.index.refresh(),
      currentOperators: () => ({
        lastEventId: copy.lastEventId(),
        current: () => {
          sources.calls++;
          return copy.current();
        },
      }),
    });
  const send = async (pipeline: InboundPipeline, sequence: number, ops: typeof operators) => {
    const list = euList(sequence, ops);
    return pipeline.receive('EU', 'import', { body: list, signature: cmsSign(list, pki) });
  };

  it('falls back to the database when the in-memory copy is behind (and never reads the copy)', async () => {
    sources.calls = 0;
    // An empty copy claiming to be at event 0: were it used, all 45 operators would count as added.
    const run = await send(pipelineWith({ lastEventId: () => 0, current: () => [] }), 2, operators.slice(0, 45));
    expect(run.outcome).toBe('APPLIED');
    expect(run.counts).toMatchObject({ received: 45, added: 0, unchanged: 45, removed: 5 });
    expect(sources.calls).toBe(0);
  });

  it('uses the index when it is up to date, with the same result (the copy is read once)', async () => {
    await tg.gateway.index.refresh();
    sources.calls = 0;
    const index = tg.gateway.index;
    const run = await send(pipelineWith({ lastEventId: () => index.lastEventIdOf('EU'), current: () => index.currentOf('EU') }), 3, operators.slice(0, 40));
    expect(run.counts).toMatchObject({ received: 40, added: 0, unchanged: 40, removed: 5 });
    expect(sources.calls).toBe(1);
  });

  it('the diff really comes from the copy when it claims to be up to date (shown by a copy that lies)', async () => {
    await tg.gateway.index.refresh();
    sources.calls = 0;
    const index = tg.gateway.index;
    // Claims the newest event id, holds nothing: a diff from it counts every listed operator as added.
    const run = await send(pipelineWith({ lastEventId: () => index.lastEventIdOf('EU'), current: () => [] }), 4, operators.slice(0, 40));
    expect(run.counts).toMatchObject({ received: 40, added: 40, unchanged: 0, removed: 0 });
    expect(sources.calls).toBe(1);
  });
});
