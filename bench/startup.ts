// Start-up and idle memory (issue 7, "fast start" and "idle RSS"): `npm start` as a user runs it —
// npm, the build check, then `aeo-gateway serve` in sandbox mode — timed from spawn to `/readyz` 200 on a
// fresh data directory and again on the same one (nothing changed), with the idle process's RSS.
// Baselines in the same run: node doing nothing, and PGlite alone opened on the gateway's own store
// (the floor an embedded database sets for the gateway's memory).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { withPgServer } from './pg-server.js';
import { fmt, log, mb, mdTable, REPO_ROOT, seconds, sleep, tempDir, type Section } from './util.js';

const IDLE_SETTLE_MS = 10_000;

/** VmRSS of a process, bytes (what `ps` and the kernel's OOM killer see). */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) * 1024;
}

interface Started {
  readyMillis: number;
  idleRss: number;
}

/** The gateway process `npm start` runs for `dataDir` (npm → sh → node): found by its environment. */
function gatewayPid(dataDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('cli.js\0serve')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`AEO_DATA_DIR=${dataDir}`)) return Number(entry);
    } catch {
      // a process that ended meanwhile
    }
  }
  throw new Error(`no gateway process for ${dataDir}`);
}

/** `npm start` exactly as a user types it (npm, its prestart build check, then serve), timed to /readyz 200. */
async function npmStartUntilReady(dataDir: string, port: number, databaseUrl?: string): Promise<Started> {
  const t = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: REPO_ROOT,
    detached: true, // its own process group: npm, sh and node are stopped together
    env: { ...process.env, AEO_SANDBOX: 'true', AEO_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let readyMillis = NaN;
    while (performance.now() - t < 120_000) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) {
        readyMillis = performance.now() - t;
        break;
      }
      await sleep(50);
    }
    if (Number.isNaN(readyMillis)) throw new Error('the gateway was not ready within 120 s');
    await sleep(IDLE_SETTLE_MS);
    return { readyMillis, idleRss: rssOf(gatewayPid(dataDir)) };
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    // npm exits with its script; wait until the port is free for the next start
    for (let i = 0; i < 100 && (await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false)); i++) await sleep(100);
  }
}

/** RSS of a node process that only opens PGlite on `dir`, runs one query and waits. */
function pgliteAloneRss(dir: string): number {
  const script = `
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(${JSON.stringify(dir)});
    await db.query('SELECT count(*) FROM operator_events');
    await new Promise((r) => setTimeout(r, 2000));
    const line = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8').split('\\n').find((l) => l.startsWith('VmRSS:'));
    process.stdout.write(String(Number(line.replace(/\\D+/g, '')) * 1024));
    await db.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PGlite alone failed: ${r.stderr.slice(0, 300)}`);
  return Number(r.stdout);
}

function bareNodeRss(): number {
  const r = spawnSync(process.execPath, ['-e', "setTimeout(() => process.stdout.write(require('fs').readFileSync('/proc/self/status','utf8').match(/VmRSS:\\s+(\\d+)/)[1]), 500)"], { encoding: 'utf8' });
  return Number(r.stdout) * 1024;
}

function buildCheckMillis(): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-if-changed.js')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-if-changed failed: ${r.stderr.slice(0, 300)}`);
  return performance.now() - t;
}

export async function startupBenchmark(): Promise<Section> {
  const dataDir = tempDir('startup');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const build = buildCheckMillis();
  log('startup: first sandbox start on a fresh data directory');
  const first = await npmStartUntilReady(dataDir, port);
  log('startup: second start, nothing changed');
  const second = await npmStartUntilReady(dataDir, port);
  const pglite = pgliteAloneRss(path.join(dataDir, 'pglite'));
  const node = bareNodeRss();
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const onServer = serverUrl
    ? await withPgServer(serverUrl, async (server) => {
        log('startup: sandbox on a PostgreSQL server, first and second start');
        const url = await server.createDatabase(`aeo_bench_start_${process.pid}`);
        const dir = tempDir('startup-pg');
        return { version: server.version, first: await npmStartUntilReady(dir, port, url), second: await npmStartUntilReady(dir, port, url) };
      })
    : null;
  const markdown = [
    '`npm start` as a user types it (npm itself, its `prestart` build check, then `aeo-gateway serve` with `AEO_SANDBOX=true`), spawned in its own process group and polled on `/readyz` every 50 ms. ' +
      `RSS is the gateway process's VmRSS ${IDLE_SETTLE_MS / 1000} s after ready, with no traffic. The build check (\`scripts/build-if-changed.js\`, dist/ current) is also timed on its own: it is part of both start times.`,
    '',
    mdTable(
      ['what', 'to ready', 'idle RSS', 'target'],
      [
        ['first start (fresh data dir: database created, sandbox keys generated, 3 lists imported, 3 outbound FULLs delivered)', seconds(first.readyMillis), mb(first.idleRss), '≤ 10 s; RSS ≤ 250 MB'],
        ['second start (nothing changed: no key generated, no list re-imported)', seconds(second.readyMillis), mb(second.idleRss), '≤ 3 s; RSS ≤ 250 MB'],
        ['of which the build check (dist/ current)', seconds(build), '—', '—'],
        ...(onServer
          ? [
              [`first start, PostgreSQL ${onServer.version.split(" ")[0]} server (\`DATABASE_URL\`)`, seconds(onServer.first.readyMillis), mb(onServer.first.idleRss), '—'],
              ['second start, PostgreSQL server', seconds(onServer.second.readyMillis), mb(onServer.second.idleRss), '≤ 3 s; RSS ≤ 250 MB'],
            ]
          : [['PostgreSQL server: not measured (set `BENCH_DATABASE_URL`)', '—', '—', '—']]),
        ['baseline: PGlite alone on the same store (open, one query)', '—', mb(pglite), '—'],
        ['baseline: node doing nothing', '—', mb(node), '—'],
      ],
    ),
    '',
    `The gateway's own share above PGlite alone after the second start: ${mb(second.idleRss - pglite)}. ` +
      `Sandbox data: EU 16 000 operators, HK and MO lists, the ${fmt(6876)}-enterprise domestic register.`,
  ].join('\n');
  return {
    title: '6. Start-up and idle memory',
    markdown,
    summary: [
      { benchmark: 'start', metric: '`npm start` first start to ready', value: seconds(first.readyMillis), baseline: '—', target: '≤ 10 s', met: first.readyMillis <= 10_000 },
      { benchmark: 'start', metric: '`npm start`, nothing changed, to ready', value: seconds(second.readyMillis), baseline: '—', target: '≤ 3 s', met: second.readyMillis <= 3_000 },
      { benchmark: 'start', metric: 'idle sandbox RSS (after a restart), PGlite', value: mb(second.idleRss), baseline: `PGlite alone ${mb(pglite)}`, target: '≤ 250 MB', met: second.idleRss <= 250e6 },
      ...(onServer
        ? [{ benchmark: 'start', metric: 'idle sandbox RSS (after a restart), PostgreSQL server', value: mb(onServer.second.idleRss), baseline: `node alone ${mb(node)}`, target: '≤ 250 MB', met: onServer.second.idleRss <= 250e6 }]
        : []),
    ],
  };
}
