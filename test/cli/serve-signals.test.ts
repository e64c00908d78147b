// SIGTERM at the awkward moments of `aeo-gateway serve`: during start-up, and during a running
// import. Either way: exit 0, the embedded database's lock released, nothing half-applied.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/open.js';
import { CLI, ensureBuilt, REPO } from '../support/cli.js';

interface Served {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function serve(dataDir: string, env: Record<string, string> = {}): Served {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', AEO_SANDBOX: 'true', PORT: '0', HOST: '127.0.0.1', AEO_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('aeo-gateway serve and SIGTERM', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-signals-'));
  beforeAll(() => ensureBuilt());
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('during start-up: exits 0 before it is ready and releases the embedded database', async () => {
    const dataDir = path.join(root, 'starting');
    const served = serve(dataDir);
    try {
      // The lock is taken when the embedded database opens: start-up is under way.
      await until('the database lock', () => existsSync(path.join(dataDir, 'pglite.lock')));
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
      expect(served.out()).toContain('"shutting down"');
      expect(served.out()).not.toContain('"gateway ready"');
      expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    } finally {
      served.child.kill('SIGKILL');
    }
  });

  it('during a running import: exits 0, and the list is applied whole or not at all', async () => {
    const dataDir = path.join(root, 'importing');
    const served = serve(dataDir, { AEO_SYNC_ON_START: 'false' });
    try {
      await until('ready', () => served.out().includes('"gateway ready"'));
      const port = (JSON.parse(served.out().split('\n').find((l) => l.includes('"gateway listening"'))!) as { port: number }).port;
      const keys = JSON.parse(readFileSync(path.join(dataDir, 'sandbox-keys.json'), 'utf8')) as { admin: string };
      const headers = { authorization: `Bearer ${keys.admin}` };
      const syncing = fetch(`http://127.0.0.1:${port}/admin/partners/EU/sync`, { method: 'POST', headers }).then((r) => r.status, () => null);
      // The run is recorded (outcome still open) once the list is in: the import is running.
      await until('a running EU run', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/v1/exchanges?partner=EU`, { headers });
        const { exchanges } = (await res.json()) as { exchanges: { outcome: string | null }[] };
        return exchanges.some((e) => e.outcome === null);
      });
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
      expect(await syncing).toBe(200); // the running request was answered before the exit
      expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    } finally {
      served.child.kill('SIGKILL');
    }

    const db = await openDb({ databaseUrl: null, embeddedDir: path.join(dataDir, 'pglite') });
    try {
      const runs = await db.query<{ id: string; outcome: string | null; sequence: number; counts: { added: number; changed: number; removed: number } }>(
        `SELECT id::text AS id, outcome, sequence::float8 AS sequence, counts FROM exchanges WHERE partner = 'EU'`,
      );
      expect(runs).toHaveLength(1);
      const run = runs[0]!;
      expect(run.outcome).toBe('APPLIED');
      const [events] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM operator_events WHERE exchange_id = $1`, [run.id]);
      expect(events!.n).toBe(run.counts.added + run.counts.changed + run.counts.removed);
      expect(events!.n).toBeGreaterThan(10_000);
      const [state] = await db.query<{ last_sequence: number }>(`SELECT last_sequence::float8 AS last_sequence FROM partner_state WHERE partner = 'EU'`);
      expect(state!.last_sequence).toBe(run.sequence);
    } finally {
      await db.close();
    }
  }, 120_000);
});
