// All or nothing (contract 6.4): a process killed with SIGKILL while it publishes a list leaves the
// published data as it was, and the next start marks the run FAILED / INTERRUPTED — on both engines.
// The CLI (`aeo-gateway import`) runs in a child process from a private build of the current sources.
// AEO_TEST_HOLD_PUBLISH makes its publish transaction wait once the list's events are written (a
// marker file says so): the kill lands inside the transaction every time, never after the import won.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxPopulation } from '../../src/sandbox/population.js';
import { createServerDatabase, ENGINES } from '../support/databases.js';
import { api, startTestGateway } from '../support/gateway.js';
import { decisionOf, euList, getExchange, isoDay, lookup, makePki, opensslSign, partnerView, sha256Hex, tempDir, trustAnchor, type TestPki } from './helpers.js';

const ROOT = process.cwd();
const BIG = 12_000; // more than one bulk statement (5 000 rows each) is written before the kill
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

let pki: TestPki;
let work: { dir: string; remove: () => void };
let cli: string;
const population = sandboxPopulation('EU', 0, { size: BIG });
const smallList = euList(1, population.slice(0, SMALL), { generatedAt: `${isoDay(-2)}T01:00:00Z` });
const bigList = euList(2, population, { generatedAt: `${isoDay(-1)}T01:00:00Z` });

beforeAll(async () => {
  pki = makePki('EU');
  work = tempDir('kill');
  trustAnchor(path.join(work.dir, 'certs'), 'EU', pki);
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
  for (const [name, body] of [['small.xml', smallList], ['big.xml', bigList]] as const) {
    writeFileSync(path.join(work.dir, name), body);
    writeFileSync(path.join(work.dir, `${name}.p7s`), opensslSign(body, pki));
  }
}, 180_000);

afterAll(() => {
  work?.remove();
  pki?.remove();
});

describe.each(ENGINES)('a process killed mid-apply (%s)', (engine) => {
  let env: Record<string, string>;
  let dataDir: string;
  let databaseUrl: string | undefined;

  beforeAll(async () => {
    dataDir = path.join(work.dir, `data-${engine}`);
    databaseUrl = engine === 'pg' ? await createServerDatabase() : undefined;
    env = { AEO_CERTS_DIR: path.join(work.dir, 'certs'), AEO_DATA_DIR: dataDir, AEO_SANDBOX: 'false', LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  });

  const importArgs = (name: string): string[] => ['import', '--partner', 'EU', path.join(work.dir, name), path.join(work.dir, `${name}.p7s`)];

  it('the CLI imports a signed file pair (the data the kill must preserve)', async () => {
    const result = await runChild(cli, importArgs('small.xml'), env).done;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'APPLIED', trigger: 'import', sequence: 1, payloadSha256: sha256Hex(smallList), counts: { added: SMALL } });
  }, 240_000); // a first embedded start under a loaded suite is slow

  it('SIGKILL inside the publish transaction leaves the old data whole; the next start marks the run INTERRUPTED', async () => {
    const marker = path.join(work.dir, `held-${engine}`);
    const { child, done } = runChild(cli, importArgs('big.xml'), { ...env, AEO_TEST_HOLD_PUBLISH: marker });
    let exited = false;
    void done.then(() => (exited = true));
    const deadline = Date.now() + 240_000;
    while (!exited && !existsSync(marker) && Date.now() < deadline) await sleep(10);
    // The marker is written inside the transaction, after all of the list's events were inserted.
    expect(existsSync(marker), 'the import reached its publish transaction').toBe(true);
    expect(exited, 'the import is held there, not finished').toBe(false);
    child.kill('SIGKILL');
    const result = await done;
    expect(result.signal).toBe('SIGKILL');

    // Next start on that store: the run is closed as FAILED / INTERRUPTED; the old list is served, whole.
    let tg = await startTestGateway({ engine, dataDir, certsDir: env.AEO_CERTS_DIR!, ...(databaseUrl ? { databaseUrl } : {}) });
    try {
      const runs = await api(`${tg.url}/v1/exchanges?partner=EU`, tg.keys.admin);
      const big = (runs.body.exchanges as { id: string; payloadSha256: string }[]).filter((r) => r.payloadSha256 === sha256Hex(bigList));
      expect(big).toHaveLength(1); // the raw message was stored before anything else
      const run = await getExchange(tg, big[0]!.id);
      expect(run.body).toMatchObject({ outcome: 'FAILED', reason: 'INTERRUPTED', trigger: 'import' });
      expect(run.body.finishedAt).not.toBeNull();
      const counts = await tg.gateway.db.query<{ run: number; all: number }>(
        'SELECT count(*) FILTER (WHERE exchange_id = $1)::int AS run, count(*)::int AS "all" FROM operator_events',
        [big[0]!.id],
      );
      expect(counts[0]).toEqual({ run: 0, all: SMALL }); // all old: none of the held transaction's rows
      expect(await partnerView(tg, 'EU')).toMatchObject({ lastSequence: 1, operatorCount: SMALL });
      const kept = await lookup(tg, population[0]!.EORI);
      expect(kept.body).toMatchObject({ decision: 'RECOGNISED', provenance: { sequence: 1, payloadSha256: sha256Hex(smallList) } });
      expect(await decisionOf(tg, population[BIG - 1]!.EORI)).toBe('NOT_LISTED');
    } finally {
      await tg.close();
    }
    // And the list applies whole when imported again (the store is not left damaged).
    const again = await runChild(cli, importArgs('big.xml'), env).done;
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'APPLIED', sequence: 2, counts: { added: BIG - SMALL, unchanged: SMALL } });
    tg = await startTestGateway({ engine, dataDir, certsDir: env.AEO_CERTS_DIR!, ...(databaseUrl ? { databaseUrl } : {}) });
    try {
      expect(await decisionOf(tg, population[BIG - 1]!.EORI)).not.toBe('NOT_LISTED'); // all new
    } finally {
      await tg.close();
    }
  }, 600_000);
});
