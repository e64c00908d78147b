// The outbox is durable (contract 9.4): a gateway killed with SIGKILL while it builds a batch, or
// while a push is on the wire, resumes after restart — no batch is lost, no sequence is sent with two
// contents, and the retry carries the same bytes and Idempotency-Key. Compiled CLI `serve` in a child
// process, on the suite's PostgreSQL server; EU's push endpoint is a local server the test controls.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxRegister } from '../../src/sandbox/domestic.js';
import { CLI, ensureBuilt, runCli } from '../support/cli.js';
import { createServerDatabase } from '../support/databases.js';
import { ensureSomeAnchor, testSigningFiles } from '../support/gateway.js';
import { tempDir } from '../exchange/helpers.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ADMIN = 'admin-token-for-the-kill-test-0001';

interface Received {
  key: string;
  sequence: string;
  sha: string;
}

function startServe(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"gateway listening"/.exec(out);
      if (m && out.includes('"msg":"gateway ready"')) resolve({ child, url: `http://127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out.slice(-2000)}`)));
  });
}

const kill = async (child: ChildProcess): Promise<void> => {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
};

describe('a gateway killed mid-build and mid-send (pg)', () => {
  let work: { dir: string; remove: () => void };
  let env: Record<string, string>;
  let client: pg.Client;
  let inbox: Server;
  const received: Received[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined; // hold: never answer

  beforeAll(async () => {
    ensureBuilt();
    work = tempDir('kill-out');
    inbox = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        received.push({ key: String(req.headers['idempotency-key']), sequence: String(req.headers['x-aeo-sequence']), sha: sha(Buffer.concat(parts)) });
        answer(req, res);
      });
    });
    await new Promise<void>((r) => inbox.listen(0, '127.0.0.1', r));
    const port = (inbox.address() as { port: number }).port;
    // The partners as data, with EU's outbound endpoint on the local server (MO's nowhere: not pushed to).
    const partnersDir = path.join(work.dir, 'partners');
    cpSync(path.join(process.cwd(), 'partners'), partnersDir, { recursive: true });
    const euFile = path.join(partnersDir, 'eu.partner.json');
    const eu = JSON.parse(readFileSync(euFile, 'utf8')) as { outbound: { delivery: Record<string, unknown> } };
    eu.outbound.delivery = { mode: 'push', url: `http://127.0.0.1:${port}/inbox`, receipt: 'none' };
    writeFileSync(euFile, JSON.stringify(eu));
    const moFile = path.join(partnersDir, 'mo.partner.json');
    const mo = JSON.parse(readFileSync(moFile, 'utf8')) as { outbound: { enabled: boolean } };
    mo.outbound.enabled = false;
    writeFileSync(moFile, JSON.stringify(mo));
    const databaseUrl = await createServerDatabase();
    client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const signer = testSigningFiles();
    // Every enabled partner needs a trust anchor to start (none signs anything here).
    const certsDir = path.join(work.dir, 'certs');
    for (const p of ['eu', 'hk', 'mo']) ensureSomeAnchor(path.join(certsDir, p));
    env = {
      DATABASE_URL: databaseUrl, AEO_DATA_DIR: path.join(work.dir, 'data'), AEO_PARTNERS_DIR: partnersDir, AEO_CERTS_DIR: certsDir, AEO_SANDBOX: 'false', LOG_LEVEL: 'info',
      PORT: '0', HOST: '127.0.0.1', AEO_API_KEYS: `admin:${ADMIN}`, AEO_SIGNING_KEY_FILE: signer.keyFile, AEO_SIGNING_CERT_FILE: signer.certFile,
      AEO_OUTBOUND_RETRY: '200ms,1s,1h',
    };
    const file = path.join(work.dir, 'register.json');
    writeFileSync(file, JSON.stringify({ kind: 'FULL', enterprises: sandboxRegister(40_000) }));
    const imported = runCli(['domestic', 'import', file], env, 180_000);
    expect(imported.status, imported.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await client?.end();
    inbox?.close();
    work?.remove();
  });

  const run = (url: string) => fetch(`${url}/admin/outbound/EU/run`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } }).catch(() => null);
  const batches = async () => (await client.query<{ id: string; sequence: string | null; state: string; content_sha256: string | null }>(
    'SELECT id::text, sequence::text, state, content_sha256 FROM outbound_batches WHERE partner = $1 ORDER BY built_at', ['EU'])).rows;

  it('SIGKILL during the build transaction leaves no batch; the next start builds sequence 1 whole', async () => {
    const { child, url } = await startServe(env);
    // Hold the build transaction open at a known point: after it has written its batch row, it waits
    // for this lock on the transitions table. (A build takes tens of milliseconds: polling for it to
    // be under way missed it on a loaded machine.)
    const locker = new pg.Client({ connectionString: env.DATABASE_URL });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE outbound_transitions IN SHARE MODE');
    try {
      void run(url);
      let killed = false;
      const until = Date.now() + 60_000;
      while (!killed && Date.now() < until) {
        const waiting = await client.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL AND wait_event_type = 'Lock'`,
        );
        if (waiting.rows.length > 0) {
          await kill(child);
          killed = true;
        } else await sleep(5);
      }
      expect(killed).toBe(true);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    // The killed process's transaction never commits: once its server backend notices the closed
    // connection it rolls back. Nothing of the batch is stored.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const open = await client.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL`);
      if (open.rows.length === 0) break;
      await sleep(20);
    }
    expect(await batches()).toEqual([]);
  }, 120_000);

  it('SIGKILL while the push is on the wire: the restart sends the same bytes with the same Idempotency-Key', async () => {
    received.length = 0;
    answer = () => undefined; // hold the request: the gateway waits for an answer
    const first = await startServe(env);
    if ((await batches()).length === 0) void run(first.url);
    const until = Date.now() + 60_000;
    while (received.length === 0 && Date.now() < until) await sleep(20);
    expect(received).toHaveLength(1);
    const [sending] = await batches();
    expect(sending).toMatchObject({ sequence: '1', state: 'SENDING' });
    await kill(first.child);

    answer = (_req, res) => res.writeHead(202).end();
    const second = await startServe(env);
    const deadline = Date.now() + 30_000;
    while ((await batches())[0]!.state !== 'DELIVERED' && Date.now() < deadline) await sleep(50);
    const [delivered] = await batches();
    expect(delivered).toMatchObject({ id: sending!.id, sequence: '1', state: 'DELIVERED', content_sha256: sending!.content_sha256 });
    expect(received.length).toBeGreaterThanOrEqual(2);
    for (const r of received) expect(r).toEqual({ key: sending!.id, sequence: '1', sha: sending!.content_sha256 });
    // No sequence was ever given two contents.
    const seqs = (await batches()).filter((b) => b.sequence !== null).map((b) => b.sequence);
    expect(new Set(seqs).size).toBe(seqs.length);
    await kill(second.child);
  }, 180_000);
});
