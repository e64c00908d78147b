// The compiled check worker: the same verdicts as the inline path, off the main thread.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileBundle, contentSha256 } from '../../src/catalog/bundle.js';
import { readFileBundles } from '../../src/catalog/file-bundles.js';
import { createCertificateAuthority, issueSigningCertificate, parseCertificatesPem, signDetachedCms, toTrustAnchor } from '../../src/crypto/index.js';
import type { MessageChecker as Checker } from '../../src/exchange/message-checker.js';
import type { PartnerRuntime } from '../../src/exchange/partners.js';
import { sandboxFixedOperators, sandboxPopulation } from '../../src/sandbox/population.js';
import { renderList } from '../../src/sandbox/render.js';
import { ensureBuilt, REPO } from '../support/cli.js';

describe('check worker (compiled)', () => {
  let checker: Checker;
  let eu: PartnerRuntime;
  const ca = createCertificateAuthority('Worker test EU CA');
  const signer = issueSigningCertificate(ca, 'Worker test EU signer');
  const ctx = { now: Date.now(), timeZone: 'Asia/Shanghai', economyAliases: { EL: 'GR' } };
  const body = renderList('EU', { sender: 'EU', receiver: 'CN', sequence: 1, kind: 'FULL', generatedAt: '2026-11-20T02:00:00Z' }, sandboxFixedOperators('EU'));

  beforeAll(async () => {
    ensureBuilt();
    const dirs = { partnersDir: path.join(REPO, 'partners'), schemasDir: path.join(REPO, 'schemas'), certsDir: path.join(REPO, 'certs') };
    const compiled = (await import(path.join(REPO, 'dist/src/exchange/message-checker.js'))) as { MessageChecker: typeof Checker };
    checker = new compiled.MessageChecker(true);
    // The worker compiles the version it is sent (manifest + payload schema), as for a stored version.
    const { bundle } = (await readFileBundles(dirs)).find((b) => b.code === 'EU')!;
    const def = compileBundle('EU', bundle, 'EU files');
    eu = { def, anchors: parseCertificatesPem(ca.certPem).map(toTrustAnchor), crls: [], version: { number: 1, contentSha256: contentSha256(bundle), bundle } };
  });

  it('runs off the main thread and maps a signed list', async () => {
    expect(checker.threaded).toBe(true);
    const checked = await checker.check(eu, body, signDetachedCms(body, signer), ctx);
    expect(checked.signer.subject).toBe('CN=Worker test EU signer');
    expect(checked.list.header).toMatchObject({ sender: 'EU', sequence: 1, kind: 'FULL' });
    expect(checked.list.records.map((r) => r.declaredCode)).toEqual(['DE123456789012345', 'NL857117683', 'IT01234567890']);
    expect(checked.list.listDate).toBe('2026-11-20');
  });

  it('sends large lists back in chunks, reassembled in order', async () => {
    const operators = sandboxPopulation('EU', 0, { size: 12_345 });
    const big = renderList('EU', { sender: 'EU', receiver: 'CN', sequence: 2, kind: 'FULL', generatedAt: '2026-11-20T02:00:00Z' }, operators);
    const checked = await checker.check(eu, big, signDetachedCms(big, signer), ctx);
    expect(checked.list.records).toHaveLength(12_345);
    expect(checked.list.records.map((r) => r.partnerId)).toEqual(operators.map((o) => o.EORI));
  });

  it('carries catalogue errors back with their codes, details and the signer', async () => {
    const sig = signDetachedCms(body, signer);
    const tampered = Buffer.from(body);
    const at = tampered.length - 2;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    await expect(checker.check(eu, tampered, sig, ctx)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    const bad = Buffer.from(body.toString('utf8').replace('<EORI>NL857117683</EORI>', '<EORI>N</EORI>'));
    const err = await checker.check(eu, bad, signDetachedCms(bad, signer), ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SCHEMA_INVALID' });
    expect((err as { details: { problems: { record: number }[]; signer: { subject: string } } }).details.problems[0]!.record).toBe(1);
    expect((err as { details: { signer: { subject: string } } }).details.signer.subject).toBe('CN=Worker test EU signer');
    await checker.close();
  });
});
