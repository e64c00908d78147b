// A fresh sandbox start (`aeo-gateway serve`, what `npm start` runs) answers GET /metrics with the
// generated metrics token — 401 without a token, 403 with the lookup token — and the scrape passes
// `promtool check metrics`; every partner's health is the same in GET /v1/partners and the metric.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO } from '../support/cli.js';
import { parseSamples, sampleValue } from '../support/prometheus.js';
import { promtool } from '../support/promtool.js';

describe('a fresh sandbox start', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-fresh-'));
  const dataDir = path.join(root, 'data');
  let child: ReturnType<typeof spawn>;
  let base = '';
  let keys: { admin: string; lookup: string; metrics: string };

  beforeAll(async () => {
    ensureBuilt();
    child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', AEO_SANDBOX: 'true', PORT: '0', HOST: '127.0.0.1', AEO_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const deadline = Date.now() + 90_000;
    while (!out.includes('"gateway ready"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('"gateway ready"');
    const port = (JSON.parse(out.split('\n').find((l) => l.includes('"gateway listening"'))!) as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
    keys = JSON.parse(readFileSync(path.join(dataDir, 'sandbox-keys.json'), 'utf8')) as typeof keys;
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  });

  const get = (route: string, token: string | null) => fetch(`${base}${route}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  it('answers GET /metrics with the generated metrics token only', async () => {
    expect(typeof keys.metrics).toBe('string');
    expect((await get('/metrics', null)).status).toBe(401);
    expect((await get('/metrics', keys.lookup)).status).toBe(403);
    const res = await get('/metrics', keys.metrics);
    expect(res.status).toBe(200);
    const text = await res.text();
    const r = promtool(['check', 'metrics'], text);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('shows each partner health word in GET /v1/partners and in aeo_partner_health alike', async () => {
    const partners = ((await (await get('/v1/partners', keys.admin)).json()) as { partners: { code: string; health: string }[] }).partners;
    const samples = parseSamples(await (await get('/metrics', keys.metrics)).text());
    expect(partners.map((p) => p.code)).toEqual(['EU', 'HK', 'MO']);
    for (const p of partners) {
      expect(p.health).not.toBe('NEVER_SYNCED'); // the sandbox lists were imported at start
      expect(sampleValue(samples, 'aeo_partner_health', { partner: p.code, health: p.health }), p.code).toBe(1);
      expect(sampleValue(samples, 'aeo_lookup_index_sequence', { partner: p.code })).toBeGreaterThan(0);
    }
  });
});
