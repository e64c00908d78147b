// All or nothing (contract 6.4): a process killed with SIGKILL while it publishes a list leaves the
// published data as it was, and the next start marks the run FAILED / INTERRUPTED.
// The CLI (`aeo-gateway import`) runs in a child process from a private build of the current sources,
// against a fresh database on the suite's PostgreSQL server; it is killed while its publish
// transaction is inserting operator events (seen in pg_stat_activity).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxPopulation } from '../../src/sandbox/population.js';
import { createServerDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { decisionOf, euList, getExchange, isoDay, lookup, makePki, opensslSign, partnerView, sha256Hex, tempDir, trustAnchor, type TestPki } from './helpers.js';

const ROOT = process.cwd();
const BIG = 60_000;
const SMALL = 5;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(cli: string, args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<ChildResult>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

describe('a process killed mid-apply (pg)', () => {
  let pki: TestPki;
  let work: { dir: string; remove: () => void };
  let cli: string;
  let databaseUrl: string;
  let client: pg.Client;
  let env: Record<string, string>;
  let tg: TestGateway | undefined;
  const population = sandboxPopulation('EU', 0, { size: BIG });
  const smallList = euList(1, population.slice(0, SMALL), { generatedAt: `${isoDay(-2)}T01:00:00Z` });
  const bigList = euList(2, population, { generatedAt: `${isoDay(-1)}T01:00:00Z` });

  beforeAll(async () => {
    pki = makePki('EU');
    work = tempDir('kill');
    const certsDir = path.join(work.dir, 'certs');
    trustAnchor(certsDir, 'EU', pki);

    // A private build of the current sources (dist/ belongs to `npm run build`).
    const out = path.join(work.dir, 'build');
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT }).catch(
      (err: Error & { stdout?: string }) => {
        // Type errors elsewhere in the tree still emit JavaScript; only a missing CLI is fatal.
        if (!existsSync(path.join(out, 'src/cli.js'))) throw new Error(`build failed: ${err.stdout ?? err.message}`);
      },
    );
    cli = path.join(out, 'src/cli.js');
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir');
    symlinkSync(path.join(ROOT, 'migrations'), path.join(out, 'migrations'), 'dir');

    databaseUrl = await createServerDatabase();
    client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    env = { DATABASE_URL: databaseUrl, AEO_CERTS_DIR: certsDir, AEO_DATA_DIR: path.join(work.dir, 'data'), AEO_SANDBOX: 'false', LOG_LEVEL: 'warn' };
    for (const [name, body] of [['small.xml', smallList], ['big.xml', bigList]] as const) {
      writeFileSync(path.join(work.dir, name), body);
      writeFileSync(path.join(work.dir, `${name}.p7s`), opensslSign(body, pki));
    }
  }, 120_000);

  afterAll(async () => {
    await tg?.close();
    await client?.end();
    work?.remove();
    pki?.remove();
  });

  it('the CLI imports a signed file pair (the data the kill must preserve)', async () => {
    const { done } = runChild(cli, ['import', '--partner', 'EU', path.join(work.dir, 'small.xml'), path.join(work.dir, 'small.xml.p7s')], env);
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'APPLIED', trigger: 'import', sequence: 1, payloadSha256: sha256Hex(smallList), counts: { added: SMALL } });
  }, 60_000);

  it('SIGKILL during the publish transaction leaves the old data; the next start marks the run INTERRUPTED', async () => {
    const stateBefore = (await client.query('SELECT * FROM partner_state ORDER BY partner')).rows;
    const eventsBefore = Number((await client.query('SELECT count(*) AS n FROM operator_events')).rows[0].n);
    expect(eventsBefore).toBe(SMALL);

    const { child, done } = runChild(cli, ['import', '--partner', 'EU', path.join(work.dir, 'big.xml'), path.join(work.dir, 'big.xml.p7s')], env);
    let exited = false;
    void done.then(() => (exited = true));
    // Wait until the child's publish transaction is inserting operator events, then kill it — once
    // it has written some: at its second INSERT statement (events go in chunks), or 150 ms into one.
    // Had an earlier chunk been committed on its own, it would show afterwards.
    let killedWhileWriting = false;
    let first: { started: string; at: number } | null = null;
    const deadline = Date.now() + 90_000;
    while (!exited && Date.now() < deadline) {
      const writing = await client.query<{ started: string }>(
        `SELECT query_start::text AS started FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL
            AND state IN ('active', 'idle in transaction') AND query ILIKE '%INSERT INTO operator_events%'`,
      );
      const started = writing.rows[0]?.started;
      if (started !== undefined) {
        first ??= { started, at: Date.now() };
        if (started !== first.started || Date.now() - first.at >= 150) {
          killedWhileWriting = child.kill('SIGKILL');
          break;
        }
      }
      await sleep(2);
    }
    const result = await done;
    // Let the server notice the dead client and roll back its transaction.
    for (let i = 0; i < 500; i++) {
      const others = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      if (others.rows[0].n === 0) break;
      await sleep(20);
    }

    const runs = (await client.query<{ id: string; outcome: string | null; payload_sha256: string }>(
      "SELECT id::text AS id, outcome, payload_sha256 FROM exchanges WHERE payload_sha256 = $1",
      [sha256Hex(bigList)],
    )).rows;
    expect(runs).toHaveLength(1); // the raw message was stored before anything else
    const bigRun = runs[0]!;
    const bigEvents = Number((await client.query('SELECT count(*) AS n FROM operator_events WHERE exchange_id = $1', [bigRun.id])).rows[0].n);
    // Whatever the timing: all of the list or none of it, never part.
    expect([0, BIG]).toContain(bigEvents);

    if (!killedWhileWriting) {
      // The import ended before it could be caught writing (it should not with this size): then it must be whole.
      expect(result.code, result.stderr).toBe(0);
      expect(bigRun.outcome).toBe('APPLIED');
      expect(bigEvents).toBe(BIG);
      return;
    }
    expect(result.signal).toBe('SIGKILL');
    expect(bigRun.outcome).toBeNull(); // left running by the dead process
    expect(bigEvents).toBe(0);
    expect(Number((await client.query('SELECT count(*) AS n FROM operator_events')).rows[0].n)).toBe(eventsBefore);
    expect((await client.query('SELECT * FROM partner_state ORDER BY partner')).rows).toEqual(stateBefore);

    // Next start on that database: the run is closed as FAILED / INTERRUPTED; the old list is served.
    tg = await startTestGateway({ engine: 'pg', databaseUrl, certsDir: env.AEO_CERTS_DIR! });
    const run = await getExchange(tg, bigRun.id);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ id: bigRun.id, outcome: 'FAILED', reason: 'INTERRUPTED', trigger: 'import' });
    expect(run.body.finishedAt).not.toBeNull();
    expect(await partnerView(tg, 'EU')).toMatchObject({ lastSequence: 1, operatorCount: SMALL });
    const kept = await lookup(tg, population[0]!.EORI);
    expect(kept.body).toMatchObject({ decision: 'RECOGNISED', provenance: { sequence: 1, payloadSha256: sha256Hex(smallList) } });
    expect(await decisionOf(tg, population[BIG - 1]!.EORI)).toBe('NOT_LISTED');
  }, 120_000);
});
