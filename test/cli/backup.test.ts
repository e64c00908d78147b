// aeo-gateway backup / restore of the embedded database, as an operator runs them: the compiled CLI,
// a real gateway before and after (over HTTP), refusals where they protect data.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmsSign, euList, euOperators, expectRun, isoDay, lookup, makePki, push, trustAnchor, type TestPki } from '../exchange/helpers.js';
import { ensureBuilt, runCli } from '../support/cli.js';
import { api, startTestGateway } from '../support/gateway.js';

describe('aeo-gateway backup and restore (embedded database)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-backup-'));
  const dir = (name: string): string => path.join(root, name);
  const certsDir = dir('certs');
  const file = dir('aeo.backup.tgz');
  const OPS = euOperators(3);
  let pki: TestPki;
  let answer: unknown;
  let audit: unknown;

  beforeAll(async () => {
    ensureBuilt();
    pki = makePki('EU');
    trustAnchor(certsDir, 'EU', pki);
    const gw = await startTestGateway({ engine: 'pglite', dataDir: dir('a'), certsDir });
    try {
      const list = euList(1, OPS, { generatedAt: `${isoDay(-1)}T01:00:00Z` });
      expectRun(await push(gw, 'EU', list, cmsSign(list, pki)), 200, 'APPLIED', null);
      expect((await api(`${gw.url}/admin/exchanges/00000000-0000-4000-8000-000000000000/reject`, gw.keys.operator, { method: 'POST' })).status).toBe(404);
      answer = (await lookup(gw, OPS[0]!.EORI)).body;
      audit = (await api(`${gw.url}/admin/audit`, gw.keys.viewer)).body;
      // A running gateway holds the directory: no backup of a live database.
      const busy = runCli(['backup', file], { AEO_DATA_DIR: dir('a') });
      expect(busy.status).toBe(1);
      expect(busy.stderr).toContain('in use by process');
      expect(existsSync(file)).toBe(false);
    } finally {
      await gw.close();
    }
  });
  afterAll(() => {
    pki?.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a gzip tarball, never over an existing file', () => {
    const res = runCli(['backup', file], { AEO_DATA_DIR: dir('a') });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('backup written');
    expect([...readFileSync(file).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const again = runCli(['backup', file], { AEO_DATA_DIR: dir('a') });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('exists already');
    expect(runCli(['backup', dir('none.tgz')], { AEO_DATA_DIR: dir('empty') }).stderr).toContain('no embedded database');
  });

  it('refuses to restore over a non-empty data directory, which keeps its data', async () => {
    const res = runCli(['restore', file], { AEO_DATA_DIR: dir('a') });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('not empty');
    const gw = await startTestGateway({ engine: 'pglite', dataDir: dir('a'), certsDir });
    try {
      expect((await lookup(gw, OPS[0]!.EORI)).body).toEqual(answer);
    } finally {
      await gw.close();
    }
  });

  it('restores into an empty data directory: same answers, same audit log', async () => {
    const res = runCli(['restore', file], { AEO_DATA_DIR: dir('b') });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const gw = await startTestGateway({ engine: 'pglite', dataDir: dir('b'), certsDir });
    try {
      expect((await lookup(gw, OPS[0]!.EORI)).body).toEqual(answer);
      expect((await api(`${gw.url}/admin/audit`, gw.keys.viewer)).body).toEqual(audit);
    } finally {
      await gw.close();
    }
    expect(runCli(['audit', 'verify'], { AEO_DATA_DIR: dir('b') }).stdout).toContain('audit log intact: 1 rows');
  });

  it('refuses a file that is not a backup and leaves no half-restored directory', () => {
    const junk = dir('junk.tgz');
    writeFileSync(junk, 'this is not a tarball');
    const res = runCli(['restore', junk], { AEO_DATA_DIR: dir('c') });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('is not a backup');
    expect(existsSync(path.join(dir('c'), 'pglite'))).toBe(false);
  });

  it('points at pg_dump when the database is a server, and needs a file name', () => {
    const res = runCli(['backup', dir('x.tgz')], { AEO_DATA_DIR: dir('a'), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(res.status).toBe(2);
    expect(res.stdout).toContain('pg_dump');
    expect(runCli(['restore'], { AEO_DATA_DIR: dir('a') }).status).toBe(2);
  });
});
