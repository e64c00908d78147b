// Contract section 11 over real HTTP on both engines: a partner none of the built-in formats resembles
// (Singapore, JSON with nested records and its own status words) onboarded while the gateway runs —
// draft, dry run on a list signed by an openssl-made CA, activation, push, RECOGNISED — and the bad
// paths: a draft with every kind of problem, a mapping typo, a mass removal, no dry run, a bad
// version activated and rolled back, a version that does not load in this process. Each action's
// DONE audit row (contract 12.3) commits with its change: one per action, none when it failed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/audit/audit-log.js';
import { decisionOf, expectErrorBody, opensslSign } from '../exchange/helpers.js';
import { ENGINES } from '../support/databases.js';
import { REPO } from '../support/cli.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { adminPost, companies, dryRunRequest, opensslPki, sgBundle, sgList, type OpensslPki } from './singapore.js';

const CODE = 'SG123456789012';

interface AuditView {
  actor: string;
  scopes: string[];
  action: string;
  target: string;
  outcome: string;
  note: string | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
}

describe.each(ENGINES)('partner onboarding without code (%s)', (engine) => {
  let tg: TestGateway;
  let pki: OpensslPki;
  const logLines: string[] = [];
  const list1 = sgList(1, companies(4));
  let list1Signature: Buffer;

  const push = (body: Buffer, signature: Buffer) =>
    api(`${tg.url}/exchange/v1/inbound/SG`, tg.keys.partner.SG!, { method: 'POST', raw: body, headers: { 'content-type': 'application/json', 'x-aeo-signature': signature.toString('base64') } });
  /** The DONE rows of one partner action, oldest first. */
  const doneRows = async (action: string) =>
    ((await api(`${tg.url}/admin/audit?action=${action}&outcome=DONE&limit=500`, tg.keys.viewer)).body.entries as AuditView[]).reverse();
  const partnersView = async () => (await api(`${tg.url}/v1/partners`, tg.keys.admin)).body.partners as { code: string; definitionVersion: number | null; definitionError: string | null }[];

  beforeAll(async () => {
    pki = opensslPki('SG');
    list1Signature = opensslSign(list1, pki);
    tg = await startTestGateway({ engine, extraPartners: ['SG'], logLines });
  });
  afterAll(async () => {
    await tg?.close();
    pki?.remove();
  });

  it('refuses a draft with a non-compiling schema, a pointer to a missing field, an unknown agreement and a private-key anchor, all in one 400, storing nothing', async () => {
    const privateKey = readFileSync(path.join(pki.dir, 'ca.key'), 'utf8');
    const bad = sgBundle(pki, 'everything wrong', (m, s) => {
      m.agreementId = 'CN-XX';
      m.mapping.record.name = '/profile/legalNmae';
      s.properties.envelope.type = 'objekt';
    });
    bad.trustAnchors = [`${pki.caPem}\n${privateKey}`];
    const res = await adminPost(tg, '/admin/partners/SG/versions', bad);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('BUNDLE_INVALID');
    const problems = res.body.error.problems as { path: string; message: string }[];
    const at = (p: string) => problems.filter((x) => x.path === p).map((x) => x.message).join(' | ');
    expect(at('/payloadSchema')).toMatch(/does not compile/);
    expect(at('/manifest/mapping/record/name')).toMatch(/\/profile\/legalNmae/);
    expect(at('/manifest/agreementId')).toMatch(/no agreement CN-XX/);
    expect(at('/trustAnchors/0')).toMatch(/private key/);
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');

    expectErrorBody(await api(`${tg.url}/admin/partners/SG/versions`, tg.keys.admin), 404, 'UNKNOWN_PARTNER');
    const stored = await tg.gateway.db.query<{ n: number }>("SELECT count(*)::int AS n FROM partner_versions WHERE bundle::text LIKE '%PRIVATE KEY%' OR partner = 'SG'");
    expect(stored[0]!.n).toBe(0);
    expect(logLines.join('\n')).not.toContain('PRIVATE KEY');
    // The refused draft is a FAILED row of its own, and no DONE row.
    expect(await doneRows('partner.draft')).toEqual([]);
    const failed = (await api(`${tg.url}/admin/audit?action=partner.draft&outcome=FAILED`, tg.keys.viewer)).body.entries as AuditView[];
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ actor: 'test.admin', target: 'SG', after: { error: 'BUNDLE_INVALID' } });
  });

  it('onboards Singapore: draft, 409 without a dry run, dry run on a signed sample, activate, push, RECOGNISED — no restart, no file written', async () => {
    const draft = await adminPost(tg, '/admin/partners/SG/versions', sgBundle(pki, 'Singapore STP-Plus, first version'));
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect(draft.body).toMatchObject({ code: 'SG', version: 1, state: 'DRAFT', contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/), createdBy: 'test.admin' });
    expect(Date.parse(draft.body.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await doneRows('partner.draft')).toEqual([
      expect.objectContaining({
        actor: 'test.admin',
        scopes: ['admin'],
        target: 'SG',
        note: 'Singapore STP-Plus, first version',
        after: { version: 1, contentSha256: draft.body.contentSha256 },
        requestId: expect.any(String),
      }),
    ]);

    expectErrorBody(await adminPost(tg, '/admin/partners/SG/versions/1/activate', { note: 'too early' }), 409, 'DRY_RUN_REQUIRED');
    expect((await partnersView()).map((p) => p.code)).not.toContain('SG');

    const dry = await dryRunRequest(tg, 'SG', 1, list1, list1Signature);
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({
      version: 1,
      contentSha256: draft.body.contentSha256,
      outcome: 'WOULD_APPLY',
      reason: null,
      signature: { checked: true, verdict: 'VALID', signer: { subject: expect.stringContaining('CN=SG AEO list signer') } },
      counts: { received: 4, added: 4, changed: 0, removed: 0, unchanged: 0, invalid: 0 },
      problems: [],
      diffVsActive: { added: 4, changed: 0, removed: 0, removalRatio: 0 },
      fieldCoverage: { partnerId: 1, declaredCode: 1, name: 1, tier: 1, status: 1, partnerStatus: 1, statusSince: 1, validUntil: 1 },
    });
    expect(dry.body.sample[0]).toMatchObject({ partnerId: '123456789012', declaredCode: CODE, name: 'Company 123456789012 Pte Ltd', tier: 'STP-PLUS', status: 'VALID', partnerStatus: 'IN_GOOD_STANDING', statusSince: '2020-01-15', validUntil: '2099-12-31' });
    expect(dry.body.decisions[0]).toEqual({ code: CODE, decision: 'RECOGNISED' });
    expect(dry.body.unmappedFields).toEqual(['/profile/address/postalCode', '/profile/address/street']);
    // Same inputs, same report; nothing was applied.
    expect((await dryRunRequest(tg, 'SG', 1, list1, list1Signature)).body).toEqual(dry.body);
    expect(await decisionOf(tg, CODE)).toBe('NO_DATA');
    // One DONE row per dry run (two so far); the refused activation left none.
    const dryRows = await doneRows('partner.dryRun');
    expect(dryRows).toHaveLength(2);
    for (const row of dryRows) expect(row).toMatchObject({ actor: 'test.admin', target: 'SG/1', after: { outcome: 'WOULD_APPLY', reason: null } });
    expect(await doneRows('partner.activate')).toEqual([]);

    const active = await adminPost(tg, '/admin/partners/SG/versions/1/activate', { note: 'Go live with Singapore' });
    expect(active.status, JSON.stringify(active.body)).toBe(200);
    expect(active.body).toMatchObject({ code: 'SG', version: 1, state: 'ACTIVE', previousVersion: null, rollback: false, exchange: null });
    expect((await partnersView()).find((p) => p.code === 'SG')).toMatchObject({ definitionVersion: 1, definitionError: null });
    expect(await doneRows('partner.activate')).toEqual([
      expect.objectContaining({ actor: 'test.admin', target: 'SG/1', note: 'Go live with Singapore', after: { version: 1, previousVersion: null, rollback: false, exchangeId: null } }),
    ]);

    const pushed = await push(list1, list1Signature);
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
    expect(pushed.body).toMatchObject({ partner: 'SG', trigger: 'push', outcome: 'APPLIED', counts: { added: 4 } });
    expect(await decisionOf(tg, CODE)).toBe('RECOGNISED');
    expect(existsSync(path.join(REPO, 'partners/sg.partner.json'))).toBe(false);
    expect(existsSync(path.join(tg.certsDir, 'sg'))).toBe(false);
  });

  it('refuses a push signed by another CA for the new partner', async () => {
    const other = opensslPki('SG');
    try {
      const list = sgList(2, companies(4));
      const res = await push(list, opensslSign(list, other));
      expect(res.status).toBe(422);
      expect(res.body.reason).toBe('SIGNER_UNTRUSTED');
    } finally {
      other.remove();
    }
  });

  it('names a mapping pointer that matches nothing in the sample, and says WOULD_QUARANTINE with the ratio for a mass removal', async () => {
    const typo = await adminPost(tg, '/admin/partners/SG/versions', sgBundle(pki, 'expiry date from the old field', (m) => (m.mapping.record.validUntil = '/certification/expiry')));
    expect(typo.status, JSON.stringify(typo.body)).toBe(201);
    expect(typo.body.version).toBe(2);
    const list = sgList(2, companies(4));
    const dry = await dryRunRequest(tg, 'SG', 2, list, opensslSign(list, pki));
    expect(dry.body.outcome).toBe('WOULD_APPLY');
    expect(dry.body.fieldCoverage.validUntil).toBe(0);
    expect(dry.body.problems).toEqual([
      { record: null, path: '/certification/expiry', severity: 'warning', message: expect.stringContaining('/mapping/record/validUntil') },
    ]);

    const fewer = sgList(2, companies(1));
    const removal = await dryRunRequest(tg, 'SG', 1, fewer, opensslSign(fewer, pki));
    expect(removal.body).toMatchObject({ outcome: 'WOULD_QUARANTINE', reason: 'MASS_REMOVAL', diffVsActive: { removed: 3, removalRatio: 0.75 } });

    const unsigned = await dryRunRequest(tg, 'SG', 1, list, null);
    expect(unsigned.body.signature).toEqual({ checked: false, verdict: 'NOT_CHECKED', signer: null });
    const wrongSender = sgList(2, companies(4)).toString().replace('"from":"SG"', '"from":"MY"');
    const rejected = await dryRunRequest(tg, 'SG', 1, Buffer.from(wrongSender), null);
    expect(rejected.body).toMatchObject({ outcome: 'WOULD_REJECT', reason: 'SENDER_MISMATCH' });
    const garbage = await dryRunRequest(tg, 'SG', 1, Buffer.from('{"envelope":'), null);
    expect(garbage.body).toMatchObject({ outcome: 'WOULD_REJECT', reason: 'PAYLOAD_MALFORMED' });
    // A rejecting dry run is not enough to activate.
    await adminPost(tg, '/admin/partners/SG/versions', sgBundle(pki, 'never dry-run cleanly'));
    await dryRunRequest(tg, 'SG', 3, Buffer.from('not json'), null);
    expectErrorBody(await adminPost(tg, '/admin/partners/SG/versions/3/activate', { note: 'x' }), 409, 'DRY_RUN_REQUIRED');
  });

  it('activates a bad-but-valid version (everyone SUSPENDED) and rolls back, answers following at once, both runs with their actors', async () => {
    const bad = await adminPost(tg, '/admin/partners/SG/versions', sgBundle(pki, 'status words, second try', (m) => {
      m.mapping.record.status.map = { IN_GOOD_STANDING: 'SUSPENDED', UNDER_REVIEW: 'SUSPENDED', WITHDRAWN: 'REVOKED' };
    }));
    expect(bad.body.version).toBe(4);
    const dry = await dryRunRequest(tg, 'SG', 4, list1, list1Signature);
    expect(dry.body.outcome).toBe('WOULD_APPLY');
    expect(dry.body.decisions[0]).toEqual({ code: CODE, decision: 'SUSPENDED' });

    const on = await adminPost(tg, '/admin/partners/SG/versions/4/activate', { note: 'new status map' });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body).toMatchObject({ version: 4, previousVersion: 1, rollback: false, exchange: { trigger: 'activation', outcome: 'APPLIED', sequence: 1, actor: 'test.admin' } });
    expect(await decisionOf(tg, CODE)).toBe('SUSPENDED');
    // The activation's row names the run that read the last list again.
    expect((await doneRows('partner.activate')).at(-1)).toMatchObject({
      target: 'SG/4',
      note: 'new status map',
      after: { version: 4, previousVersion: 1, rollback: false, exchangeId: on.body.exchange.id },
    });

    const back = await adminPost(tg, '/admin/partners/SG/versions/1/activate', { note: 'roll back: everyone shows suspended' });
    expect(back.body).toMatchObject({ version: 1, previousVersion: 4, rollback: true, exchange: { trigger: 'activation', outcome: 'APPLIED' } });
    expect(await decisionOf(tg, CODE)).toBe('RECOGNISED');
    // History keeps what version 4 said.
    expect(await decisionOf(tg, CODE, { asKnownAt: new Date(Date.parse(back.body.exchange.startedAt) - 1).toISOString() })).toBe('SUSPENDED');

    const runs = (await api(`${tg.url}/v1/exchanges?partner=SG`, tg.keys.admin)).body.exchanges as { trigger: string; actor: string | null }[];
    expect(runs.filter((r) => r.trigger === 'activation').map((r) => r.actor)).toEqual(['test.admin', 'test.admin']);
    // Both activations, the dry runs before them and the draft are in the audit log with their actor (contract 12.3).
    const audit = (await api(`${tg.url}/admin/audit?action=partner.activate&outcome=DONE`, tg.keys.viewer)).body.entries as { actor: string; target: string }[];
    expect(audit.filter((e) => e.target.startsWith('SG/')).map((e) => e.actor)).toEqual(['test.admin', 'test.admin', 'test.admin']);
    const drafts = (await api(`${tg.url}/admin/audit?action=partner.draft`, tg.keys.viewer)).body.entries as { outcome: string }[];
    expect(drafts.map((e) => e.outcome)).toContain('DONE');
    expect(drafts.map((e) => e.outcome)).toContain('FAILED');
    expectErrorBody(await adminPost(tg, '/admin/partners/SG/versions/1/activate', { note: 'again' }), 409, 'CONFLICT');
    expectErrorBody(await adminPost(tg, '/admin/partners/SG/versions/4/activate', {}), 400, 'INVALID_BODY');

    const versions = await api(`${tg.url}/admin/partners/SG/versions`, tg.keys.admin);
    expect(versions.body.activeVersion).toBe(1);
    expect(versions.body.versions.map((v: { version: number; state: string }) => `${v.version}:${v.state}`)).toEqual(['1:ACTIVE', '2:DRAFT', '3:DRAFT', '4:RETIRED']);
    const v4 = await api(`${tg.url}/admin/partners/SG/versions/4`, tg.keys.admin);
    expect(v4.body).toMatchObject({ version: 4, state: 'RETIRED', note: 'status words, second try', bundle: { trustAnchors: [expect.stringContaining('BEGIN CERTIFICATE')] } });
    expect(v4.body.history.map((h: { action: string }) => h.action)).toEqual(['draft', 'dryRun', 'activate']);
    expect(v4.body.dryRuns[0].report.outcome).toBe('WOULD_APPLY');
    const v1 = await api(`${tg.url}/admin/partners/SG/versions/1`, tg.keys.admin);
    expect(v1.body.history.map((h: { action: string }) => h.action).filter((a: string) => a !== 'dryRun')).toEqual(['draft', 'activate', 'rollback']);
    expectErrorBody(await api(`${tg.url}/admin/partners/SG/versions/99`, tg.keys.admin), 404, 'NOT_FOUND');
  });

  it('keeps serving the last good version when the active one does not load in this process, and says so', async () => {
    const db = tg.gateway.db;
    await db.query(
      `INSERT INTO partner_versions (partner, version, content_sha256, bundle, note, created_by)
       SELECT partner, 5, 'x', jsonb_set(bundle, '{payloadSchema}', '{"type": "objekt"}'), 'made by hand', 'test' FROM partner_versions WHERE partner = 'SG' AND version = 1`,
    );
    await db.query("INSERT INTO partner_activations (partner, version, note, activated_by) VALUES ('SG', 5, 'by hand', 'test')");
    // No NOTIFY: the periodic check finds it within a second.
    let sg: { definitionVersion: number | null; definitionError: string | null } | undefined;
    for (let i = 0; i < 40 && !sg?.definitionError; i++) {
      await new Promise((r) => setTimeout(r, 100));
      sg = (await partnersView()).find((p) => p.code === 'SG');
    }
    expect(sg).toMatchObject({ definitionVersion: 1, definitionError: expect.stringContaining('version 5 could not be loaded') });
    expect(await decisionOf(tg, CODE)).toBe('RECOGNISED');
    expect(logLines.some((l) => l.includes('keeping the last good one'))).toBe(true);
  });

  it('plans the schedule of a version that pulls, and drops it when a version without a pull URL is active again', async () => {
    const pulling = await adminPost(tg, '/admin/partners/SG/versions', sgBundle(pki, 'Singapore offers a pull URL', (m) => (m.pullUrl = 'https://sg-customs.example/aeo/list')));
    expect(pulling.body.version).toBe(6);
    await dryRunRequest(tg, 'SG', 6, list1, list1Signature);
    expect((await adminPost(tg, '/admin/partners/SG/versions/6/activate', { note: 'pull nightly' })).status).toBe(200);
    const nextRun = async () => ((await api(`${tg.url}/v1/partners`, tg.keys.admin)).body.partners as { code: string; nextRunAt: string | null }[]).find((p) => p.code === 'SG')!.nextRunAt;
    let planned: string | null = null;
    for (let i = 0; i < 20 && planned === null; i++) {
      planned = await nextRun();
      if (planned === null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.parse(planned!)).toBeGreaterThan(Date.now());
    await adminPost(tg, '/admin/partners/SG/versions/1/activate', { note: 'push only again' });
    let gone: string | null = 'x';
    for (let i = 0; i < 20 && gone !== null; i++) {
      gone = await nextRun();
      if (gone !== null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(gone).toBeNull();
  });

  it('needs the admin scope', async () => {
    expectErrorBody(await api(`${tg.url}/admin/partners/SG/versions`, tg.keys.lookup), 403, 'FORBIDDEN');
    expectErrorBody(await api(`${tg.url}/admin/partners/SG/versions`, null), 401, 'UNAUTHENTICATED');
    expectErrorBody(await api(`${tg.url}/admin/partners/SG/versions/1/dry-run`, tg.keys.partner.SG!, { method: 'POST', raw: list1 }), 403, 'FORBIDDEN');
    expectErrorBody(await api(`${tg.url}/admin/partners/S1/versions`, tg.keys.admin), 400, 'BAD_REQUEST');
    expectErrorBody(await api(`${tg.url}/admin/partners/SG/versions`, tg.keys.admin, { method: 'POST', raw: 'x', headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('stores no version when its audit row cannot be written, and leaves no DONE row; the chain stays intact', async () => {
    const db = tg.gateway.db;
    const count = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM partner_versions WHERE partner = 'SG'"))[0]!.n;
    const versionsBefore = await count();
    const doneBefore = (await doneRows('partner.draft')).length;
    await db.exec(`CREATE FUNCTION test_refuse_draft_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'test: no DONE row for partner.draft'; END $$;
      CREATE TRIGGER test_refuse_draft_row BEFORE INSERT ON audit_log
        FOR EACH ROW WHEN (NEW.action = 'partner.draft' AND NEW.outcome = 'DONE') EXECUTE FUNCTION test_refuse_draft_row();`);
    try {
      const res = await adminPost(tg, '/admin/partners/SG/versions', sgBundle(pki, 'audit row refused'));
      expectErrorBody(res, 500, 'INTERNAL');
    } finally {
      await db.exec('DROP TRIGGER test_refuse_draft_row ON audit_log; DROP FUNCTION test_refuse_draft_row();');
    }
    expect(await count()).toBe(versionsBefore);
    expect(await doneRows('partner.draft')).toHaveLength(doneBefore);
    const failed = (await api(`${tg.url}/admin/audit?action=partner.draft&outcome=FAILED&limit=1`, tg.keys.viewer)).body.entries as AuditView[];
    expect(failed[0]).toMatchObject({ note: 'audit row refused', after: { error: 'INTERNAL' } });
    // The next draft takes the number the failed one did not use.
    const next = await adminPost(tg, '/admin/partners/SG/versions', sgBundle(pki, 'after the failed one'));
    expect(next.body.version).toBe(versionsBefore + 1);
    expect(await verify(db)).toMatchObject({ ok: true });
  });
});
