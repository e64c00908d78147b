// `aeo-gateway serve` as an operator runs it: sandbox start with data, then SIGTERM stops it cleanly.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO } from '../support/cli.js';

describe('aeo-gateway serve', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-serve-'));
  beforeAll(() => ensureBuilt());
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts in sandbox mode ready with data, and exits 0 on SIGTERM, releasing the embedded database', async () => {
    const dataDir = path.join(root, 'data');
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', AEO_SANDBOX: 'true', PORT: '0', HOST: '127.0.0.1', AEO_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('"gateway ready"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('"gateway ready"');
      const port = (JSON.parse(out.split('\n').find((l) => l.includes('"gateway listening"'))!) as { port: number }).port;
      const keys = JSON.parse(readFileSync(path.join(dataDir, 'sandbox-keys.json'), 'utf8')) as Record<string, string> & { lookup: string };
      expect(Object.keys(keys).sort()).toEqual(['admin', 'lookup', 'metrics', 'operator', 'partner-EU', 'partner-HK', 'partner-MO', 'viewer']);
      for (const scope of ['operator', 'viewer', 'metrics']) {
        const who = await fetch(`http://127.0.0.1:${port}/admin/whoami`, { headers: { authorization: `Bearer ${keys[scope]}` } });
        expect(await who.json()).toEqual({ name: expect.stringMatching(new RegExp(`^${scope}#[0-9a-f]{8}$`)), scopes: [scope] });
      }
      const res = await fetch(`http://127.0.0.1:${port}/v1/recognition/HK100000000000001`, { headers: { authorization: `Bearer ${keys.lookup}` } });
      expect(((await res.json()) as { decision: string }).decision).toBe('RECOGNISED');
      expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(true);
      expect(out).not.toContain(keys.lookup);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('"shutting down"');
      expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
