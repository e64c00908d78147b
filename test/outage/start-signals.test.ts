// `aeo-gateway serve` with its PostgreSQL server unreachable: it waits (port open, /readyz 503),
// SIGTERM while it waits exits 0 at once, and a configuration error still stops the start at once
// with its message: only an unreachable database is waited for. The compiled CLI, a real process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO, runCli } from '../support/cli.js';
import { api, ensureSomeAnchor, testSigningFiles } from '../support/gateway.js';

/** A port nothing listens on (taken, then released). */
async function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function until(what: string, probe: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('aeo-gateway serve while the database server is unreachable', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-start-outage-'));
  const certsDir = path.join(root, 'certs');
  const password = 'pw-must-not-be-logged-3f9a';
  let env: Record<string, string>;

  beforeAll(async () => {
    ensureBuilt();
    for (const p of ['eu', 'hk', 'mo']) ensureSomeAnchor(path.join(certsDir, p));
    const signing = testSigningFiles();
    env = {
      PATH: process.env.PATH ?? '',
      AEO_SANDBOX: 'false',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AEO_DATA_DIR: path.join(root, 'data'),
      AEO_CERTS_DIR: certsDir,
      AEO_API_KEYS: 'admin:0123456789abcdef0123,lookup:fedcba98765432100123',
      AEO_SIGNING_KEY_FILE: signing.keyFile,
      AEO_SIGNING_CERT_FILE: signing.certFile,
      DATABASE_URL: `postgres://aeo:${password}@127.0.0.1:${await deadPort()}/aeo`,
    };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('waits with its port open, and exits 0 on SIGTERM while it waits', async () => {
    const child = spawn(process.execPath, [CLI, 'serve'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until('two connection attempts', () => out.split('database unreachable at start; retrying').length > 2);
      const port = (JSON.parse(out.split('\n').find((l) => l.includes('"gateway listening"'))!) as { port: number }).port;
      expect((await api(`http://127.0.0.1:${port}/healthz`, null)).status).toBe(200);
      expect(await api(`http://127.0.0.1:${port}/readyz`, null)).toMatchObject({ status: 503, body: { status: 'not-ready', database: 'unavailable' } });
      const stoppedAt = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // It does not sit out its backoff first.
      expect(Date.now() - stoppedAt).toBeLessThan(5_000);
      expect(out).toContain('"shutting down"');
      expect(out).not.toContain('"gateway ready"');
      expect(out).not.toContain(password);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('still stops at once on a configuration error, with its message, without waiting for the database', () => {
    const startedAt = Date.now();
    const res = runCli(['serve'], { ...env, AEO_RATE_LIMITS: 'lookup=lots' }, 30_000);
    expect(res.status).toBe(1);
    expect(res.stderr + res.stdout).toContain('AEO_RATE_LIMITS');
    expect(res.stdout + res.stderr).not.toContain('database unreachable');
    expect(Date.now() - startedAt).toBeLessThan(20_000);
  });
});
