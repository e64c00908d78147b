// Retention (contract 12.4) on both engines, with a retention of under two seconds: raw messages go,
// provenance stays complete — also after a restart, when the index is rebuilt from the database alone.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionJob } from '../../src/jobs/retention.js';
import { getMessage } from '../../src/store/exchanges-repo.js';
import { createServerDatabase, ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, euList, euOperators, expectRun, getExchange, isoDay, lookup, makePki, push, sha256Hex, trustAnchor, type TestPki } from './helpers.js';

const RETENTION_DAYS = '0.00002'; // 1.7 s
const OPS = euOperators(10);

let pki: TestPki;
beforeAll(() => {
  pki = makePki('EU');
});
afterAll(() => {
  pki.remove();
});

describe.each(ENGINES)('retention of raw messages (%s)', (engine) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-retention-'));
  const folders = { dataDir: path.join(root, 'data'), certsDir: path.join(root, 'certs') };
  let databaseUrl: string | undefined;
  let gw: TestGateway;
  const list1 = euList(1, OPS, { generatedAt: `${isoDay(-3)}T01:00:00Z` });
  const list2 = euList(2, OPS.map((op, i) => (i === 4 ? { ...op, Status: 'SUSPENDED', StatusDate: isoDay(-2) } : op)), { generatedAt: `${isoDay(-2)}T01:00:00Z` });
  const empty = euList(3, [], { generatedAt: `${isoDay(-1)}T01:00:00Z` });
  const ids: string[] = [];
  let provenance: unknown;

  const start = () => startTestGateway({ engine, databaseUrl, ...folders, env: { AEO_MESSAGE_RETENTION_DAYS: RETENTION_DAYS } });
  const payloadStored = async (body: Buffer): Promise<boolean> =>
    (await gw.gateway.db.query('SELECT 1 FROM payloads WHERE sha256 = $1', [sha256Hex(body)])).length === 1;

  beforeAll(async () => {
    databaseUrl = engine === 'pg' ? await createServerDatabase() : undefined;
    trustAnchor(folders.certsDir, 'EU', pki);
    gw = await start();
    for (const [list, outcome] of [[list1, 'APPLIED'], [list2, 'APPLIED'], [empty, 'QUARANTINED']] as const) {
      const res = await push(gw, 'EU', list, cmsSign(list, pki));
      expectRun(res, 200, outcome, outcome === 'QUARANTINED' ? 'EMPTY_LIST' : null);
      ids.push(res.body.id as string);
    }
    const answer = await lookup(gw, OPS[0]!.EORI);
    expect(answer.body.provenance.exchangeId).toBe(ids[0]);
    provenance = answer.body.provenance;
  });
  afterAll(async () => {
    await gw?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps messages younger than the retention', async () => {
    const longer = new RetentionJob({ db: gw.gateway.db, logger: pino({ level: 'silent' }), days: 400 });
    expect(await longer.runOnce()).toMatchObject({ deleted: 0 });
    expect(await getMessage(gw.gateway.db, ids[0]!)).not.toBeNull();
  });

  it('deletes older raw messages, except the last applied list and an unreviewed quarantine', async () => {
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await gw.gateway.retention.runOnce()).toMatchObject({ deleted: 1 });
    expect(await getMessage(gw.gateway.db, ids[0]!)).toBeNull();
    expect(await payloadStored(list1)).toBe(false);
    expect((await getMessage(gw.gateway.db, ids[1]!))?.body.equals(list2)).toBe(true);
    expect((await getMessage(gw.gateway.db, ids[2]!))?.body.equals(empty)).toBe(true);

    // Once reviewed, the quarantined list's message goes at the next pass too.
    expect((await api(`${gw.url}/admin/exchanges/${ids[2]}/reject`, gw.keys.operator, { method: 'POST' })).status).toBe(200);
    expect(await gw.gateway.retention.runOnce()).toMatchObject({ deleted: 1 });
    expect(await getMessage(gw.gateway.db, ids[2]!)).toBeNull();
    expect(await payloadStored(list2)).toBe(true);
  });

  it('keeps the run record: hash, signer, counts', async () => {
    const run = await getExchange(gw, ids[0]!);
    expect(run.body).toMatchObject({ outcome: 'APPLIED', sequence: 1, payloadSha256: sha256Hex(list1), counts: { added: 10 } });
    expect(run.body.signer.sha256Fingerprint).toBe(pki.signerFingerprint);
  });

  it('answers lookups with complete provenance after a restart, from the database alone', async () => {
    await gw.close();
    gw = await start();
    const answer = await lookup(gw, OPS[0]!.EORI);
    expect(answer.body.decision).toBe('RECOGNISED');
    expect(answer.body.provenance).toEqual(provenance);
    expect(answer.body.provenance).toMatchObject({ exchangeId: ids[0], sequence: 1, payloadSha256: sha256Hex(list1), signer: { sha256Fingerprint: pki.signerFingerprint } });
  });
});
