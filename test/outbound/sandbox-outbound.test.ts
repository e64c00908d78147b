// Contract 9.7 end to end on the sandbox: the first FULL delivered to EU, HK and MO before ready,
// HK's pull verified with the exact openssl command line of 9.3, advance → DELTA → NO_CHANGE.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';

describe.each(ENGINES)('sandbox outbound (%s)', (engine) => {
  let tg: TestGateway;
  let work: string;
  const admin = (p: string, init?: Parameters<typeof api>[2]) => api(`${tg.url}${p}`, tg.keys.admin, init);

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'aeo-out-'));
    tg = await startTestGateway({ engine, sandbox: true });
  }, 120_000);
  afterAll(async () => {
    await tg?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('is ready with the first FULL: EU and HK ACKNOWLEDGED, MO DELIVERED', async () => {
    const { body } = await admin('/v1/outbound');
    const latest = (p: string) => body.batches.find((b: { partner: string }) => b.partner === p);
    expect(latest('EU')).toMatchObject({ kind: 'FULL', sequence: 1, state: 'ACKNOWLEDGED', trigger: 'startup' });
    expect(latest('HK')).toMatchObject({ kind: 'FULL', sequence: 1, state: 'ACKNOWLEDGED' });
    expect(latest('MO')).toMatchObject({ kind: 'FULL', sequence: 1, state: 'DELIVERED' });
    const eu = await admin(`/v1/outbound/${latest('EU').id}`);
    expect(eu.body.transitions.map((t: { state: string }) => t.state)).toEqual(['BUILT', 'SENDING', 'DELIVERED', 'ACKNOWLEDGED']);
    expect(eu.body.attempts).toEqual([expect.objectContaining({ httpStatus: 200, error: null })]);
    expect(eu.body.receipt).toMatchObject({ outcome: 'ACCEPTED', contentSha256: eu.body.contentSha256 });
    const partners = await admin('/v1/partners');
    expect(partners.body.partners.find((p: { code: string }) => p.code === 'EU').outbound).toMatchObject({ enabled: true, lastSequence: 1, lastState: 'ACKNOWLEDGED' });
  });

  it('HK pulls signed bytes that openssl cms -verify accepts against the trust-anchors route; EU token → 403', async () => {
    const anchors = await fetch(`${tg.url}/exchange/v1/outbound/trust-anchors`);
    expect(anchors.status).toBe(200);
    writeFileSync(path.join(work, 'cn-ca.pem'), await anchors.text());
    const hk = { authorization: `Bearer ${tg.keys.partner.HK}` };
    const list = (await (await fetch(`${tg.url}/exchange/v1/outbound/HK/messages?after=0`, { headers: hk })).json()) as { messages: { sequence: number; contentSha256: string; batchId: string }[] };
    expect(list).toMatchObject({ messages: [{ sequence: 1, kind: 'FULL' }], more: false });
    const res = await fetch(`${tg.url}/exchange/v1/outbound/HK/messages/1`, { headers: hk });
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('etag')).toBe(`"${list.messages[0]!.contentSha256}"`);
    writeFileSync(path.join(work, 'msg.json'), body);
    writeFileSync(path.join(work, 'msg.p7s'), Buffer.from(res.headers.get('x-aeo-signature')!, 'base64'));
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'msg.p7s', '-content', 'msg.json', '-CAfile', 'cn-ca.pem', '-purpose', 'any', '-out', '/dev/null'], { cwd: work, stdio: 'pipe' });
    // a changed byte does not verify
    writeFileSync(path.join(work, 'msg.json'), Buffer.concat([body, Buffer.from(' ')]));
    expect(() => execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'msg.p7s', '-content', 'msg.json', '-CAfile', 'cn-ca.pem', '-purpose', 'any', '-out', '/dev/null'], { cwd: work, stdio: 'pipe' })).toThrow();
    const codes = (JSON.parse(body.toString()) as { enterprises: { aeoCode: string }[] }).enterprises.map((e) => e.aeoCode);
    expect(codes).toContain('AEOCN1234567890');
    expect(codes).toContain('AEOCN2200000004');
    expect(codes).not.toContain('AEOCN2200000002');
    expect(codes).not.toContain('AEOCN2200000003');
    expect((await fetch(`${tg.url}/exchange/v1/outbound/HK/messages?after=0`, { headers: { authorization: `Bearer ${tg.keys.partner.EU}` } })).status).toBe(403);
    expect((await fetch(`${tg.url}/exchange/v1/outbound/HK/messages/1`)).status).toBe(401);
    const view = await admin(`/v1/outbound/${list.messages[0]!.batchId}`);
    expect(view.body.downloads.length).toBeGreaterThanOrEqual(2);
    expect(view.body.downloads[0]).toMatchObject({ actor: 'partner-HK', sequence: 1, sha256: list.messages[0]!.contentSha256 });
  });

  it('advance → DELTA with one addition and two removals to every partner; again → NO_CHANGE', async () => {
    const adv = await api(`${tg.url}/sandbox/domestic/advance`, null, { method: 'POST' });
    expect(adv.body).toMatchObject({ outcome: 'APPLIED', counts: { changed: 3 } });
    for (const p of ['EU', 'HK', 'MO']) {
      const run = await admin(`/admin/outbound/${p}/run`, { method: 'POST' });
      expect(run.status, JSON.stringify(run.body)).toBe(200);
      expect(run.body).toMatchObject({ kind: 'DELTA', sequence: 2, counts: { added: 1, removed: 2, enterprises: 3 } });
      expect(run.body.state).toBe(p === 'MO' ? 'DELIVERED' : 'ACKNOWLEDGED');
      const again = await admin(`/admin/outbound/${p}/run`, { method: 'POST' });
      expect(again.body).toMatchObject({ state: 'NO_CHANGE', sequence: null });
    }
    const hk = { authorization: `Bearer ${tg.keys.partner.HK}` };
    const delta = JSON.parse(Buffer.from(await (await fetch(`${tg.url}/exchange/v1/outbound/HK/messages/2`, { headers: hk })).arrayBuffer()).toString());
    const revoked = delta.enterprises.filter((e: { status: string }) => e.status === 'REVOKED');
    expect(revoked).toHaveLength(2);
    for (const r of revoked) expect(Object.keys(r)).toEqual(['aeoCode', 'status', 'statusSince']);
    expect(delta.header).toMatchObject({ sender: 'CN', receiver: 'HK', sequence: 2, previousSequence: 1, kind: 'DELTA', recordCount: 3 });
  });

  it('a message past retentionDays is 410 GONE; latest-full still answers', async () => {
    await tg.gateway.db.query(`UPDATE outbound_batches SET built_at = built_at - interval '31 days' WHERE partner = 'HK' AND sequence = 1`);
    const hk = { authorization: `Bearer ${tg.keys.partner.HK}` };
    const gone = await api(`${tg.url}/exchange/v1/outbound/HK/messages/1`, tg.keys.partner.HK!);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('GONE');
    const latest = await fetch(`${tg.url}/exchange/v1/outbound/HK/messages/latest-full`, { headers: hk });
    expect(latest.status).toBe(200);
    expect(latest.headers.get('x-aeo-sequence')).toBe('1');
    expect((await api(`${tg.url}/exchange/v1/outbound/HK/messages/99`, tg.keys.partner.HK!)).status).toBe(404);
    expect((await api(`${tg.url}/exchange/v1/outbound/EU/messages?after=0`, tg.keys.partner.EU!)).status).toBe(404); // EU is pushed, not pulled
  });
});
