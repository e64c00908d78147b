// Push delivery (contract 9.4) against a nock-scripted EU endpoint: the same bytes and Idempotency-Key
// on every retry, 503 then 200, 429 with Retry-After, a 400, a connection error, a partner slower than
// the push timeout, dead letters, receipts (good, wrong hash, forged), ordering and SUPERSEDED, the
// removal guard; each admin action's DONE audit row (contract 12.3) commits with its change or
// neither does. Real gateway, both engines.
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/audit/audit-log.js';
import { sandboxRegister } from '../../src/sandbox/domestic.js';
import type { Enterprise } from '../../src/domestic/types.js';
import { failingAtCommit } from '../support/audit-commit.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, makePki, tempDir, trustAnchor, type TestPki } from '../exchange/helpers.js';

const HOST = 'https://aeo-exchange.taxud.example.eu';
const PATH = '/cn/aeo-lists';
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const TIMEOUT_SECONDS = 1;
const REGISTER = sandboxRegister(40).map((e): Enterprise => ({ ...e, level: 'ADVANCED_CERTIFIED', status: 'VALID', rectificationUntil: null }));

let eu: TestPki;
let stranger: TestPki;

beforeAll(() => {
  eu = makePki('EU');
  stranger = makePki('Stranger');
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
  eu.remove();
  stranger.remove();
});

interface Seen {
  key: string;
  sequence: string;
  sha: string;
  at: number;
}

/** A signed receipt for what the partner received (contentSha256 overridable to forge a mismatch). */
function receiptFor(seen: Seen, pki: TestPki, over: Record<string, unknown> = {}): { body: Buffer; headers: Record<string, string> } {
  const body = Buffer.from(JSON.stringify({ batchId: seen.key, sequence: Number(seen.sequence), contentSha256: seen.sha, outcome: 'ACCEPTED', receivedAt: new Date().toISOString(), problems: [], ...over }));
  return { body, headers: { 'content-type': 'application/json', 'x-aeo-signature': cmsSign(body, pki).toString('base64') } };
}

describe.each(ENGINES)('outbound push to a faulty partner (%s)', (engine) => {
  let tg: TestGateway;
  let certs: { dir: string; remove: () => void };
  let partnersDir: { dir: string; remove: () => void };
  const seen: Seen[] = [];
  const admin = (p: string, init?: Parameters<typeof api>[2]) => api(`${tg.url}${p}`, tg.keys.admin, init);
  const record = function (this: { req: { headers: Record<string, string> } }, _uri: string, body: unknown): Seen {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const s = { key: this.req.headers['idempotency-key']!, sequence: this.req.headers['x-aeo-sequence']!, sha: sha(raw), at: Date.now() };
    seen.push(s);
    return s;
  };
  const importDelta = (enterprises: Enterprise[]) => admin('/admin/domestic/imports', { body: { kind: 'DELTA', enterprises } });
  const waitFor = async (id: string, states: string[], ms = 15_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const b = (await admin(`/v1/outbound/${id}`)).body;
      if (states.includes(b.state) || Date.now() > until) return b;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', eu);
    // The partners as data, EU's push timeout shortened (the manifest's delivery.timeoutSeconds).
    partnersDir = tempDir('partners');
    cpSync(path.join(process.cwd(), 'partners'), partnersDir.dir, { recursive: true });
    const euFile = path.join(partnersDir.dir, 'eu.partner.json');
    const manifest = JSON.parse(readFileSync(euFile, 'utf8')) as { outbound: { delivery: Record<string, unknown> } };
    manifest.outbound.delivery.timeoutSeconds = TIMEOUT_SECONDS;
    writeFileSync(euFile, JSON.stringify(manifest));
    tg = await startTestGateway({ engine, certsDir: certs.dir, env: { AEO_OUTBOUND_RETRY: '20ms,100ms,2s', AEO_PARTNERS_DIR: partnersDir.dir } });
    expect((await admin('/admin/domestic/imports', { body: { kind: 'FULL', enterprises: REGISTER } })).body.outcome).toBe('APPLIED');
  }, 60_000);
  afterAll(async () => {
    await tg?.close();
    certs?.remove();
    partnersDir?.remove();
  });

  it('retries 503 with the same bytes and Idempotency-Key until 200, then takes the signed receipt in the answer', async () => {
    seen.length = 0;
    const scope = nock(HOST)
      .post(PATH).times(2).reply(function (uri, body) {
        record.call(this, uri, body);
        return [503, 'busy'];
      })
      .post(PATH).reply(function (uri, body) {
        const s = record.call(this, uri, body);
        const r = receiptFor(s, eu);
        return [200, r.body, r.headers];
      });
    const run = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(run.body).toMatchObject({ kind: 'FULL', sequence: 1, counts: { enterprises: 40 } });
    const done = await waitFor(run.body.id, ['ACKNOWLEDGED']);
    expect(scope.isDone()).toBe(true);
    expect(done.state).toBe('ACKNOWLEDGED');
    expect(new Set(seen.map((s) => s.key))).toEqual(new Set([run.body.id]));
    expect(new Set(seen.map((s) => s.sha))).toEqual(new Set([run.body.contentSha256]));
    expect(done.attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([503, 503, 200]);
    expect(done.transitions.map((t: { state: string }) => t.state)).toEqual(['BUILT', 'SENDING', 'RETRY_WAIT', 'SENDING', 'RETRY_WAIT', 'SENDING', 'DELIVERED', 'ACKNOWLEDGED']);
    expect(done.receipt).toMatchObject({ outcome: 'ACCEPTED', signer: { subject: expect.stringContaining('Test EU') } });
  });

  it('honours Retry-After on 429', async () => {
    seen.length = 0;
    nock(HOST)
      .post(PATH).reply(function (uri, body) {
        record.call(this, uri, body);
        return [429, 'slow down', { 'retry-after': '1' }];
      })
      .post(PATH).reply(function (uri, body) {
        const r = receiptFor(record.call(this, uri, body), eu);
        return [200, r.body, r.headers];
      });
    await importDelta([{ ...REGISTER[0]!, nameZh: '改名一' }]);
    const run = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(run.body).toMatchObject({ kind: 'DELTA', sequence: 2, previousSequence: 1, counts: { changed: 1, enterprises: 1 } });
    const done = await waitFor(run.body.id, ['ACKNOWLEDGED']);
    expect(done.state).toBe('ACKNOWLEDGED');
    expect(done.attempts.map((a: { httpStatus: number | null }) => a.httpStatus)).toEqual([429, 200]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('a receipt whose hash is not ours makes RECEIPT_MISMATCH', async () => {
    nock(HOST).post(PATH).reply(function (uri, body) {
      const r = receiptFor(record.call(this, uri, body), eu, { contentSha256: '0'.repeat(64) });
      return [200, r.body, r.headers];
    });
    await importDelta([{ ...REGISTER[1]!, nameZh: '改名二' }]);
    const run = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(run.body.state).toBe('RECEIPT_MISMATCH');
  });

  it('a 400 ends FAILED at once with the answer kept; the next batch is a FULL; resend sends the same bytes', async () => {
    seen.length = 0;
    nock(HOST).post(PATH).reply(function (uri, body) {
      record.call(this, uri, body);
      return [400, '{"error":"schema"}'];
    });
    await importDelta([{ ...REGISTER[2]!, nameZh: '改名三' }]);
    const run = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(run.body).toMatchObject({ state: 'FAILED', partnerAnswer: '{"error":"schema"}', attempts: [{ httpStatus: 400 }] });
    nock(HOST).post(PATH).reply(function (uri, body) {
      record.call(this, uri, body);
      return [202, ''];
    });
    const resent = await admin(`/admin/outbound/${run.body.id}/resend`, { method: 'POST' });
    expect(resent.body.state).toBe('DELIVERED');
    expect(seen.map((s) => s.sha)).toEqual([run.body.contentSha256, run.body.contentSha256]);
    expect((await admin(`/admin/outbound/${run.body.id}/resend`, { method: 'POST' })).status).toBe(409);
  });

  it('a forged or unsigned receipt is refused and changes nothing; a good late one settles the batch', async () => {
    const [delivered] = (await admin('/v1/outbound?partner=EU&state=DELIVERED')).body.batches;
    const seenFor = { key: delivered.id, sequence: String(delivered.sequence), sha: delivered.contentSha256, at: 0 };
    const post = (r: { body: Buffer; headers: Record<string, string> }, token = tg.keys.partner.EU!) =>
      api(`${tg.url}/exchange/v1/outbound/EU/receipts`, token, { raw: r.body, headers: r.headers });
    const forged = await post(receiptFor(seenFor, stranger));
    expect(forged.status).toBe(422);
    expect(forged.body.error.code).toBe('SIGNER_UNTRUSTED');
    const good = receiptFor(seenFor, eu);
    expect((await post({ body: good.body, headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await post(good, tg.keys.partner.HK)).status).toBe(403);
    expect((await admin(`/v1/outbound/${delivered.id}`)).body.state).toBe('DELIVERED');
    const ok = await post(good);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: delivered.id, state: 'ACKNOWLEDGED' });
    expect(ok.body.receipts.map((r: { verified: boolean; error: string | null }) => r.verified)).toContain(true);
  });

  it('later batches wait behind an undelivered one; a FULL supersedes them', async () => {
    nock(HOST).post(PATH).times(500).reply(503, 'down');
    await importDelta([{ ...REGISTER[3]!, nameZh: '改名四' }]);
    const first = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(first.body.state).toBe('RETRY_WAIT');
    await importDelta([{ ...REGISTER[4]!, nameZh: '改名五' }]);
    const second = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(second.body).toMatchObject({ kind: 'DELTA', sequence: first.body.sequence + 1, state: 'BUILT', attempts: [] });
    const full = await admin('/admin/outbound/EU/run?kind=FULL', { method: 'POST' });
    expect(full.body.kind).toBe('FULL');
    expect((await admin(`/v1/outbound/${first.body.id}`)).body.state).toBe('SUPERSEDED');
    expect((await admin(`/v1/outbound/${second.body.id}`)).body.state).toBe('SUPERSEDED');
    // the FULL keeps failing: after the give-up window (2 s here, 24 h by default) it is DEAD_LETTER
    const dead = await waitFor(full.body.id, ['DEAD_LETTER'], 10_000);
    expect(dead.state).toBe('DEAD_LETTER');
    expect(dead.attempts.length).toBeGreaterThan(3);
    expect(new Set(dead.attempts.map((a: { httpStatus: number }) => a.httpStatus))).toEqual(new Set([503]));
  });

  it('a FULL dropping over 20 % waits for approval; reject drops it, approve sends it', async () => {
    nock.cleanAll();
    nock(HOST).post(PATH).reply(202, '');
    // after a DEAD_LETTER the next is a FULL: send one the partner takes
    const base = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(base.body, JSON.stringify(base.body)).toMatchObject({ kind: 'FULL', state: 'DELIVERED' });
    await importDelta(REGISTER.slice(0, 12).map((e) => ({ ...e, status: 'SUSPENDED' as const, statusSince: '2026-11-30' })));
    const held = await admin('/admin/outbound/EU/run?kind=FULL', { method: 'POST' });
    expect(held.body).toMatchObject({ state: 'PENDING_APPROVAL', counts: { removed: 12 } });
    expect((await admin('/admin/outbound/EU/run', { method: 'POST' })).status).toBe(409);
    const rejected = await admin(`/admin/outbound/${held.body.id}/reject`, { method: 'POST' });
    expect(rejected.body.state).toBe('REJECTED');
    const again = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(again.body).toMatchObject({ kind: 'FULL', state: 'PENDING_APPROVAL' }); // after REJECTED: a FULL
    nock(HOST).post(PATH).reply(202, '');
    const approved = await admin(`/admin/outbound/${again.body.id}/approve`, { method: 'POST' });
    expect(approved.body.state).toBe('DELIVERED');
    expect((await admin(`/admin/outbound/${again.body.id}/approve`, { method: 'POST' })).status).toBe(409);
  });

  it('a connection error is retried with the same bytes and key, and recorded with its code', async () => {
    seen.length = 0;
    nock(HOST)
      // An Error, not a plain object: nock 14 never delivers a plain object to the client, so the
      // request just waits for the push timeout (nock/nock#2789) — how this test once hung for 60 s.
      .post(PATH).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .post(PATH).reply(function (uri, body) {
        record.call(this, uri, body);
        return [202, ''];
      });
    await importDelta([{ ...REGISTER[5]!, nameZh: '改名六' }]);
    const run = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(run.body).toMatchObject({ kind: 'DELTA', attempts: [{ httpStatus: null, error: 'ECONNRESET' }] });
    const done = await waitFor(run.body.id, ['DELIVERED']);
    expect(done.state).toBe('DELIVERED');
    expect(done.attempts.map((a: { httpStatus: number | null; error: string | null }) => [a.httpStatus, a.error])).toEqual([[null, 'ECONNRESET'], [202, null]]);
    expect(seen).toEqual([expect.objectContaining({ key: run.body.id, sha: run.body.contentSha256 })]);
  });

  it(`a partner that does not answer within delivery.timeoutSeconds (${TIMEOUT_SECONDS} s here) is abandoned and retried`, async () => {
    seen.length = 0;
    nock(HOST)
      .post(PATH).delay(TIMEOUT_SECONDS * 1000 + 4000).reply(function (uri, body) {
        record.call(this, uri, body);
        return [202, ''];
      })
      .post(PATH).reply(function (uri, body) {
        record.call(this, uri, body);
        return [202, ''];
      });
    await importDelta([{ ...REGISTER[6]!, nameZh: '改名七' }]);
    const started = Date.now();
    const run = await admin('/admin/outbound/EU/run', { method: 'POST' });
    // the first attempt is given up after the timeout, long before the delayed answer would come
    expect(run.body.attempts[0]).toMatchObject({ httpStatus: null, error: 'ETIMEDOUT' });
    expect(run.body.attempts[0].durationMs).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000 - 50);
    expect(run.body.attempts[0].durationMs).toBeLessThan(TIMEOUT_SECONDS * 1000 + 3000);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_SECONDS * 1000 + 4000);
    const done = await waitFor(run.body.id, ['DELIVERED']);
    expect(done.attempts.map((a: { httpStatus: number | null; error: string | null }) => [a.httpStatus, a.error])).toEqual([[null, 'ETIMEDOUT'], [202, null]]);
    expect(new Set(seen.map((s) => s.key))).toEqual(new Set([run.body.id]));
    expect(new Set(seen.map((s) => s.sha))).toEqual(new Set([run.body.contentSha256]));
  }, 30_000);

  it('a DELTA waiting behind a batch that ends FAILED is not sent: it ends FAILED too, and the next batch is a FULL', async () => {
    seen.length = 0;
    nock.cleanAll();
    nock(HOST)
      .post(PATH).reply(function (uri, body) {
        record.call(this, uri, body);
        return [429, 'slow down', { 'retry-after': '1' }];
      })
      .post(PATH).reply(function (uri, body) {
        record.call(this, uri, body);
        return [400, '{"error":"refused"}'];
      });
    // Two enterprises new to the register (the earlier cases changed which of REGISTER are listed).
    const [six, seven] = sandboxRegister(60).slice(50, 52).map((e): Enterprise => ({ ...e, level: 'ADVANCED_CERTIFIED', status: 'VALID', rectificationUntil: null }));
    await importDelta([six!]);
    const base = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(base.body.state).toBe('RETRY_WAIT');
    await importDelta([seven!]);
    const built = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(built.body).toMatchObject({ kind: 'DELTA', sequence: base.body.sequence + 1, previousSequence: base.body.sequence, state: 'BUILT' });
    expect((await waitFor(base.body.id, ['FAILED'])).state).toBe('FAILED');
    const orphan = await waitFor(built.body.id, ['FAILED']);
    expect(orphan).toMatchObject({ state: 'FAILED', attempts: [] });
    expect(orphan.transitions.map((t: { state: string }) => t.state)).toEqual(['BUILT', 'FAILED']);
    expect(seen.map((s) => s.key)).toEqual([base.body.id, base.body.id]);

    nock(HOST).post(PATH).reply(function (uri, body) {
      record.call(this, uri, body);
      return [202, ''];
    });
    const next = await admin('/admin/outbound/EU/run', { method: 'POST' });
    expect(next.body).toMatchObject({ kind: 'FULL', sequence: built.body.sequence + 1, state: 'DELIVERED' });
  });

  it('answers bad operate requests with coded errors', async () => {
    expect((await admin('/admin/outbound/XX/run', { method: 'POST' })).status).toBe(404);
    expect((await admin('/admin/outbound/EU/run?kind=DELTA', { method: 'POST' })).status).toBe(400);
    expect((await admin('/v1/outbound/not-a-uuid')).status).toBe(404);
    expect((await admin('/v1/outbound?state=NOPE')).status).toBe(400);
    expect((await api(`${tg.url}/v1/outbound`, tg.keys.lookup)).status).toBe(403);
    const page = await admin('/v1/outbound?partner=EU&limit=2');
    expect(page.body.batches).toHaveLength(2);
    const next = await admin(`/v1/outbound?partner=EU&limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.batches[0].builtAt <= page.body.batches[1].builtAt).toBe(true);
    expect(next.body.batches[0].id).not.toBe(page.body.batches[1].id);
  });
  it('writes each run, approve, reject and resend a DONE row with the batch as its transaction left it', async () => {
    const done = async (action: string) =>
      ((await admin(`/admin/audit?action=${action}&outcome=DONE&limit=500`)).body.entries as { actor: string; target: string; after: { id: string; state: string; trigger: string } }[]).reverse();
    const runs = await done('outbound.run');
    expect(runs.length).toBeGreaterThan(10);
    for (const r of runs) expect(r).toMatchObject({ actor: 'test.admin', target: 'EU', after: { trigger: 'manual' } });
    // Written before the delivery: a run's row shows the batch as built.
    for (const r of runs) expect(['BUILT', 'PENDING_APPROVAL', 'NO_CHANGE']).toContain(r.after.state);
    expect((await done('outbound.reject')).map((r) => r.after.state)).toEqual(['REJECTED']);
    expect((await done('outbound.approve')).map((r) => r.after.state)).toEqual(['BUILT']);
    const resends = await done('outbound.resend');
    expect(resends.map((r) => r.after.state)).toEqual(['BUILT']);
    expect(resends[0]!.target).toBe(resends[0]!.after.id);
  });

  it('stores neither the batch of a run nor the transition of a resend when the transaction fails at commit, nor their DONE rows; the chain stays intact', async () => {
    const db = tg.gateway.db;
    const count = async (sql: string) => (await db.query<{ n: number }>(sql))[0]!.n;
    const batches = () => count("SELECT count(*)::int AS n FROM outbound_batches WHERE partner = 'EU'");
    const doneRows = () => count("SELECT count(*)::int AS n FROM audit_log WHERE outcome = 'DONE' AND action IN ('outbound.run', 'outbound.resend')");
    const [failed] = (await admin('/v1/outbound?partner=EU&state=FAILED&limit=1')).body.batches as { id: string }[];
    const transitions = () => count(`SELECT count(*)::int AS n FROM outbound_transitions WHERE batch_id = '${failed!.id}'`);
    const before = { batches: await batches(), done: await doneRows(), transitions: await transitions() };
    const [added] = sandboxRegister(70).slice(60, 61).map((e): Enterprise => ({ ...e, level: 'ADVANCED_CERTIFIED', status: 'VALID', rectificationUntil: null }));
    expect((await importDelta([added!])).body.outcome).toBe('APPLIED');
    await failingAtCommit(db, ['outbound.run', 'outbound.resend'], async () => {
      expect((await admin('/admin/outbound/EU/run', { method: 'POST', headers: { 'x-aeo-note': 'doomed' } })).status).toBe(500);
      expect((await admin(`/admin/outbound/${failed!.id}/resend`, { method: 'POST' })).status).toBe(500);
    });
    expect(await batches()).toBe(before.batches);
    expect(await doneRows()).toBe(before.done);
    expect(await transitions()).toBe(before.transitions);
    expect((await admin(`/v1/outbound/${failed!.id}`)).body.state).toBe('FAILED');
    const failedRun = (await admin('/admin/audit?action=outbound.run&outcome=FAILED&limit=1')).body.entries[0];
    expect(failedRun).toMatchObject({ target: 'EU', note: 'doomed', after: { error: 'INTERNAL' } });

    // The same run again builds the batch the failed one did not keep, and its row names it.
    nock(HOST).post(PATH).reply(202, '');
    const run = await admin('/admin/outbound/EU/run', { method: 'POST', headers: { 'x-aeo-note': 'again' } });
    expect(run.body).toMatchObject({ kind: 'DELTA', state: 'DELIVERED' });
    expect(await batches()).toBe(before.batches + 1);
    const row = (await admin('/admin/audit?action=outbound.run&outcome=DONE&limit=1')).body.entries[0];
    expect(row).toMatchObject({ actor: 'test.admin', target: 'EU', note: 'again', after: { id: run.body.id, sequence: run.body.sequence, state: 'BUILT' } });
    expect(await verify(db)).toMatchObject({ ok: true });
  });
});
