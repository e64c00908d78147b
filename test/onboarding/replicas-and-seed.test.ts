// Partner versions across processes and restarts: two gateways on one PostgreSQL (the other process
// serves a partner activated in one within a second), and the files seeding version 1 once — a
// changed file set is offered as a draft, never applied by itself.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { euList, makePki, opensslSign, push, trustAnchor } from '../exchange/helpers.js';
import { createServerDatabase, ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { adminPost, companies, dryRunRequest, opensslPki, sgBundle, sgList, type OpensslPki } from './singapore.js';

async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('a partner onboarded in one process is served by another on the same PostgreSQL', () => {
  let one: TestGateway;
  let two: TestGateway;
  let pki: OpensslPki;

  beforeAll(async () => {
    pki = opensslPki('SG');
    const databaseUrl = await createServerDatabase();
    one = await startTestGateway({ engine: 'pg', databaseUrl, extraPartners: ['SG'] });
    two = await startTestGateway({ engine: 'pg', databaseUrl, extraPartners: ['SG'] });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    pki?.remove();
  });

  it('lists and serves it within a second, and follows a rollback', async () => {
    const list = sgList(1, companies(3));
    const signature = opensslSign(list, pki);
    expect((await adminPost(one, '/admin/partners/SG/versions', sgBundle(pki, 'first'))).status).toBe(201);
    expect((await dryRunRequest(one, 'SG', 1, list, signature)).body.outcome).toBe('WOULD_APPLY');
    expect((await adminPost(one, '/admin/partners/SG/versions/1/activate', { note: 'live' })).status).toBe(200);
    const listed = async (): Promise<boolean> =>
      ((await api(`${two.url}/v1/partners`, two.keys.admin)).body.partners as { code: string }[]).some((p) => p.code === 'SG');
    expect(await within(1000, listed)).toBeLessThan(1000);

    // The other process takes the partner's push itself, with its own token.
    const pushed = await api(`${two.url}/exchange/v1/inbound/SG`, two.keys.partner.SG!, { method: 'POST', raw: list, headers: { 'content-type': 'application/json', 'x-aeo-signature': signature.toString('base64') } });
    expect(pushed.body.outcome).toBe('APPLIED');
    const decision = async (gw: TestGateway) => (await api(`${gw.url}/v1/recognition/SG123456789012`, gw.keys.lookup)).body.decision as string;
    await within(1000, async () => (await decision(one)) === 'RECOGNISED');

    const suspended = sgBundle(pki, 'all suspended', (m) => (m.mapping.record.status.map = { IN_GOOD_STANDING: 'SUSPENDED', UNDER_REVIEW: 'SUSPENDED', WITHDRAWN: 'REVOKED' }));
    expect((await adminPost(one, '/admin/partners/SG/versions', suspended)).body.version).toBe(2);
    await dryRunRequest(one, 'SG', 2, list, signature);
    await adminPost(one, '/admin/partners/SG/versions/2/activate', { note: 'bad idea' });
    await within(1000, async () => (await decision(two)) === 'SUSPENDED');
    await adminPost(two, '/admin/partners/SG/versions/1/activate', { note: 'roll back' });
    await within(1000, async () => (await decision(one)) === 'RECOGNISED');
  });
});

describe.each(ENGINES)('the files seed version 1 once; changed files become a draft (%s)', (engine) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-seed-'));
  const folders = { dataDir: path.join(root, 'data'), certsDir: path.join(root, 'certs') };
  const first = makePki('Seed EU A');
  const second = makePki('Seed EU B');
  let databaseUrl: string | undefined;
  let tg: TestGateway | undefined;

  beforeAll(async () => {
    databaseUrl = engine === 'pg' ? await createServerDatabase() : undefined;
  });
  afterAll(async () => {
    await tg?.close();
    first.remove();
    second.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it('seeds EU, HK and MO as active version 1 by the system, then offers a new anchor as a draft without applying it', async () => {
    trustAnchor(folders.certsDir, 'EU', first);
    tg = await startTestGateway({ engine, databaseUrl, ...folders });
    const v1 = await api(`${tg.url}/admin/partners/EU/versions`, tg.keys.admin);
    expect(v1.body).toMatchObject({ code: 'EU', activeVersion: 1, versions: [{ version: 1, state: 'ACTIVE', createdBy: 'system' }] });
    const detail = await api(`${tg.url}/admin/partners/EU/versions/1`, tg.keys.admin);
    expect(detail.body.bundle.manifest.code).toBe('EU');
    expect(detail.body.bundle.trustAnchors).toHaveLength(1);
    await tg.close();

    // Restart with the same files: nothing new.
    tg = await startTestGateway({ engine, databaseUrl, ...folders });
    expect((await api(`${tg.url}/admin/partners/EU/versions`, tg.keys.admin)).body.versions).toHaveLength(1);
    await tg.close();

    // A second anchor in the files: offered as draft 2; the gateway still trusts only version 1's.
    trustAnchor(folders.certsDir, 'EU', second);
    tg = await startTestGateway({ engine, databaseUrl, ...folders });
    const after = await api(`${tg.url}/admin/partners/EU/versions`, tg.keys.admin);
    expect(after.body.versions.map((v: { version: number; state: string; createdBy: string }) => `${v.version}:${v.state}:${v.createdBy}`)).toEqual(['1:ACTIVE:system', '2:DRAFT:system']);
    const list = euList(1, []);
    const res = await push(tg, 'EU', list, opensslSign(list, second));
    expect(res.body.reason).toBe('SIGNER_UNTRUSTED');
  });
});
