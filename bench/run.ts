// `npm run bench`: runs every benchmark, prints the Markdown report on stdout and writes it to
// docs/benchmarks.md. Progress goes to stderr. Every figure sits next to a same-run baseline.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { batchBenchmark } from './batch.js';
import { decisionsBenchmark } from './decisions.js';
import { importBenchmark } from './import.js';
import { outboundBenchmark } from './outbound.js';
import { singleLookupBenchmark } from './single.js';
import { startupBenchmark } from './startup.js';
import { BENCH_LOG_LEVEL, fmt, log, machine, mdTable, removeTempDirs, REPO_ROOT, startBenchGateway, tempDir, type Section, type SummaryRow } from './util.js';

async function attempt(title: string, fn: () => Promise<Section>): Promise<Section> {
  try {
    return await fn();
  } catch (err) {
    log(`${title} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { title, markdown: `Not measured: the benchmark failed (${err instanceof Error ? err.message : String(err)}).`, summary: [] };
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = machine().loadAverage;
  const measured = revision(); // what `npm run build` just compiled
  const builtAt = newestBuild();
  const sections: Section[] = [];
  // BENCH_ONLY=single,batch,decisions,import,outbound,startup runs a subset (the report then holds only those).
  const only = new Set((process.env.BENCH_ONLY ?? 'single,batch,decisions,import,outbound,startup').split(','));

  // The HTTP benchmarks first, while this process is fresh; the import runs last.
  log('starting a sandbox gateway (imports the sandbox lists)');
  const t = performance.now();
  const gw = await startBenchGateway({ sandbox: true, dataDir: tempDir('sandbox') });
  const sandboxStartMillis = performance.now() - t;
  try {
    const single = { reqPerSec: null as number | null };
    if (only.has('single')) {
      sections.push(
        await attempt('2. Single lookups over HTTP', async () => {
          // The same sandbox gateway without metrics (no /metrics, no request timer): the metrics' cost.
          log('starting a second sandbox gateway, metrics off');
          const off = await startBenchGateway({ sandbox: true, dataDir: tempDir('sandbox-no-metrics'), metrics: false });
          try {
            const section = await singleLookupBenchmark(gw, off);
            single.reqPerSec = section.gatewayReqPerSec;
            return section;
          } finally {
            await off.close();
          }
        }),
      );
    }
    if (only.has('batch')) sections.push(await attempt('3. Batch lookups', () => batchBenchmark(gw, single.reqPerSec)));
    if (only.has('decisions')) sections.push(await attempt('4. In-process decisions per second', () => Promise.resolve(decisionsBenchmark(gw))));
  } finally {
    await gw.close();
  }
  if (only.has('import')) sections.push(await attempt('1. Import of a 100 000-operator EU FULL list', importBenchmark));
  if (only.has('outbound')) sections.push(await attempt('5. Outbound lists (FULL of 100 000, DELTA of 1 000)', outboundBenchmark));
  if (only.has('startup')) sections.push(await attempt('6. Start-up and idle memory', startupBenchmark));
  sections.sort((a, b) => a.title.localeCompare(b.title));

  // Child processes load dist/ when they start: a rebuild meanwhile (another npm run build) mixes versions.
  const rebuilt = newestBuild() !== builtAt;
  if (rebuilt) log('dist/src was rebuilt during the run: the figures may mix two versions of the gateway');
  const report = render(sections, { elapsedMillis: Date.now() - started, loadBefore, sandboxStartMillis, measured, rebuilt });
  if (process.env.BENCH_ONLY === undefined) writeFileSync(path.join(REPO_ROOT, 'docs', 'benchmarks.md'), report);
  process.stdout.write(report);
  log(`done in ${fmt((Date.now() - started) / 1000)} s; written to docs/benchmarks.md`);
}

/** The newest modification time under dist/src (the compiled gateway this run loads). */
function newestBuild(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else newest = Math.max(newest, statSync(file).mtimeMs);
    }
  };
  walk(path.join(REPO_ROOT, 'dist', 'src'));
  return newest;
}

/** The commit measured, and whether the working tree differed from it. */
function revision(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'src', 'partners', 'schemas', 'migrations') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    return 'an unknown revision (no git)';
  }
}

interface RunInfo {
  elapsedMillis: number;
  loadBefore: number;
  sandboxStartMillis: number;
  measured: string;
  rebuilt: boolean;
}

function render(sections: readonly Section[], run: RunInfo): string {
  const m = machine();
  const summary: SummaryRow[] = sections.flatMap((s) => s.summary);
  const findingsFile = path.join(REPO_ROOT, 'bench', 'findings.md');
  const findings = existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8').trim() : '';
  return [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${fmt(run.elapsedMillis / 1000)} s, at ${run.measured}. ` +
      'Benchmarks, not tests: one run on a noisy machine, every figure next to a baseline measured in the same run.' +
      (run.rebuilt ? ' **Warning: dist/ was rebuilt while this ran, so the figures may mix two versions of the gateway; run it again.**' : ''),
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryGiB, 1)} GiB memory, Node ${m.node}, ${m.os}. ` +
      `Load average (1 min) ${fmt(run.loadBefore, 1)} at the start, ${fmt(m.loadAverage, 1)} at the end (this benchmark alone keeps about 2 cores busy; more means other work shared the machine).`,
    '',
    `The sandbox gateway of sections 2–4 (\`startGateway\`, \`AEO_SANDBOX=true\`, PGlite in a temporary \`AEO_DATA_DIR\`) took ${fmt(run.sandboxStartMillis / 1000, 1)} s ` +
      'to be ready: sandbox keys generated, the three sandbox lists (EU 16 000 operators) pulled and imported.',
    '',
    '## How to run',
    '',
    '```sh',
    'npm run bench                                        # builds, runs everything, rewrites docs/benchmarks.md',
    'BENCH_DATABASE_URL=postgres://user@127.0.0.1/postgres npm run bench   # also imports on a PostgreSQL server',
    'BENCH_CPU_PROF_DIR=/tmp/prof npm run bench           # also writes a CPU profile of every import child',
    'BENCH_ONLY=single,batch npm run bench                # a subset (single, batch, decisions, import, outbound, startup); docs/ untouched',
    'npm run bench:soak                                   # 10 min soak (BENCH_SOAK_MINUTES), writes docs/benchmarks-soak.md',
    '```',
    '',
    'Needs `npm ci` and `wrk` (Debian package; sections 2–3), autocannon (a dev dependency) drives the steady loads of section 1 and the soak; everything listens on 127.0.0.1 and is written to temporary folders, removed at the end. ' +
      'The PostgreSQL server is optional: its user must be allowed to `CREATE DATABASE` (a fresh one is made and dropped). ' +
      'Takes about 3 minutes on 2 cores (about 40 s more with `BENCH_DATABASE_URL`): sections 2–3 are fixed-duration load runs, section 1 four imports of 100 000 operators. ' +
      `The gateways run with \`LOG_LEVEL=${BENCH_LOG_LEVEL}\`, logs to a temporary file (stdout carries this report). Progress is printed on stderr.`,
    '',
    '## Summary',
    '',
    mdTable(
      ['benchmark', 'figure', 'measured', 'same-run baseline', 'target', 'met'],
      summary.map((r) => [r.benchmark, r.metric, r.value, r.baseline, r.target, r.met === null ? '—' : r.met ? 'yes' : '**no**']),
    ),
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', s.markdown, '']),
    ...(findings === '' ? [] : [findings, '']),
  ].join('\n');
}

main()
  .catch((err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(removeTempDirs);
