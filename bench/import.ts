// Benchmark 1: applying a signed 100 000-operator EU FULL list, next to xml2js parsing the same
// bytes alone; peak RSS; lookup latency before and during an import in a serving gateway.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ImportRequest, ImportResult } from './import-child.js';
import type { LoadRequest, LoadResult } from './load-child.js';
import { withPgServer } from './pg-server.js';
import {
  correctForOmission,
  createBenchPki,
  fmt,
  log,
  mb,
  mdTable,
  ms,
  ratio,
  runChild,
  seconds,
  signedEuList,
  sleep,
  stallMonitor,
  startBenchGateway,
  summarise,
  tempDir,
  type BenchPki,
  type LatencySummary,
  type Section,
  type SummaryRow,
} from './util.js';

const OPERATORS = 100_000;
const DAY = 86_400_000;
const TARGET_SECONDS = 3;
const TARGET_PARSE_RATIO = 0.75;
const TARGET_RSS_MB = 400;
const TARGET_SLOWDOWN = 1.5;
// Lookups while importing: a steady clearance load, well below capacity, so latency is service time.
const DURING = { connections: 10, rate: 1000, warmupSeconds: 2, beforeSeconds: 5 };
const LOOKUP_PATH = '/v1/recognition/DE123456789012345';
const CHILD = 'import-child.js';

interface ListFiles {
  bodyFile: string;
  signatureFile: string;
  bytes: number;
  operators: number;
}

/** Where an import writes: a PGlite folder (databaseUrl null) or a server database. */
interface Store {
  dataDir: string;
  databaseUrl: string | null;
}

interface DuringResult {
  importMillis: number;
  outcome: string;
  /** Corrected for coordinated omission (see correctForOmission). */
  before: LatencySummary;
  during: LatencySummary;
  /** As measured: only the requests the client could send. */
  rawBefore: LatencySummary;
  rawDuring: LatencySummary;
  /** Requests the steady rate would have sent during the import. */
  expectedDuring: number;
  /** Connection errors and timeouts of the load generator over the whole run. */
  timeouts: number;
  stallsBefore: { p99: number; max: number; blockedShare: number };
  stallsDuring: { p99: number; max: number; blockedShare: number };
}

interface EngineResult {
  engine: string;
  first: ImportResult;
  second: ImportResult;
  during: DuringResult;
}

const profileArgs = (): string[] => {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
};

function importIn(list: ListFiles, store: Store, pki: BenchPki, loadIndexFirst: boolean): Promise<ImportResult> {
  const request: ImportRequest = { mode: 'import', bodyFile: list.bodyFile, signatureFile: list.signatureFile, certsDir: pki.certsDir, loadIndexFirst, ...store };
  return runChild<ImportRequest, ImportResult>(CHILD, request, { execArgv: profileArgs() }).result;
}

/**
 * A gateway holding generation 0 serves lookups at a steady rate to a child process; after a few
 * seconds generation 1 is applied in the gateway's process, through the pipeline as a push would.
 */
async function lookupsDuringImport(store: Store, list: ListFiles, pki: BenchPki): Promise<DuringResult> {
  const gw = await startBenchGateway({ sandbox: false, dataDir: store.dataDir, certsDir: pki.certsDir, ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : {}) });
  try {
    const load = runChild<LoadRequest, LoadResult>('load-child.js', {
      url: `${gw.url}${LOOKUP_PATH}`,
      headers: { authorization: `Bearer ${gw.lookupToken}` },
      connections: DURING.connections,
      overallRate: DURING.rate,
      warmupSeconds: DURING.warmupSeconds,
      durationSeconds: 600, // an upper bound: stopped right after the import
      timeoutSeconds: 600, // a request stuck behind the import is measured, not dropped
      keepSamples: true,
    });
    const measured = async () => {
      await load.started;
      const measureFrom = performance.timeOrigin + performance.now();
      const before = stallMonitor();
      await sleep(DURING.beforeSeconds * 1000);
      const stallsBefore = await before.stop();

      const body = readFileSync(list.bodyFile);
      const signature = readFileSync(list.signatureFile);
      const stalls = stallMonitor();
      await sleep(50);
      const t0 = performance.timeOrigin + performance.now();
      const run = await gw.gateway.pipeline.receive('EU', 'push', { body, signature });
      const t1 = performance.timeOrigin + performance.now();
      const stallsDuring = await stalls.stop();
      await sleep(1000);
      return { measureFrom, stallsBefore, t0, run, t1, stallsDuring };
    };
    const { measureFrom, stallsBefore, t0, run, t1, stallsDuring } = await measured().finally(() => load.stop());
    const result = await load.result;

    const ends = result.endTimes ?? new Float64Array();
    const beforeLatencies: number[] = [];
    const duringLatencies: number[] = [];
    result.latencies.forEach((latency, i) => {
      const end = ends[i] ?? 0;
      if (end >= measureFrom && end < t0) beforeLatencies.push(latency);
      else if (end > t0 && end - latency < t1) duringLatencies.push(latency); // in flight during the import
    });
    const interval = (DURING.connections / DURING.rate) * 1000; // each connection's schedule
    return {
      importMillis: t1 - t0,
      outcome: run.outcome ?? 'PENDING',
      before: summarise(correctForOmission(beforeLatencies, interval)),
      during: summarise(correctForOmission(duringLatencies, interval)),
      rawBefore: summarise(Float64Array.from(beforeLatencies)),
      rawDuring: summarise(Float64Array.from(duringLatencies)),
      expectedDuring: Math.round(((t1 - t0) / 1000) * DURING.rate),
      timeouts: result.errors,
      stallsBefore,
      stallsDuring,
    };
  } finally {
    await gw.close();
  }
}

/** (b) into the empty store, a copy of it for the serving gateway, (c) over it, then lookups during (c) on the copy. */
async function measureEngine(engine: string, lists: [ListFiles, ListFiles], store: Store, copyStore: () => Promise<Store>, pki: BenchPki): Promise<EngineResult> {
  log(`import: (b) first import, ${engine}`);
  const first = await importIn(lists[0], store, pki, false);
  const serving = await copyStore();
  log(`import: (c) next generation over it, ${engine}`);
  const second = await importIn(lists[1], store, pki, true);
  log(`import: lookups before and during the import, ${engine}`);
  const during = await lookupsDuringImport(serving, lists[1], pki);
  return { engine, first, second, during };
}

export async function importBenchmark(): Promise<Section> {
  const pki = createBenchPki();
  // A gateway outside the sandbox refuses to start with an enabled partner it trusts nobody for:
  // HK and MO trust the run's CA too (they receive nothing here).
  for (const p of ['hk', 'mo']) cpSync(path.join(pki.certsDir, 'eu', 'ca.pem'), path.join(pki.certsDir, p, 'ca.pem'));
  const work = tempDir('import');
  const now = Date.now();
  const lists = [0, 1].map((generation) => {
    log(`import: building and signing the ${fmt(OPERATORS)}-operator EU list, generation ${generation}`);
    const list = signedEuList(generation, OPERATORS, new Date(now - (1 - generation) * DAY), pki.signer);
    const bodyFile = path.join(work, `eu-${generation}.xml`);
    const signatureFile = `${bodyFile}.p7s`;
    writeFileSync(bodyFile, list.body);
    writeFileSync(signatureFile, list.signature);
    return { bodyFile, signatureFile, bytes: list.body.length, operators: list.operators };
  }) as [ListFiles, ListFiles];

  log('import: (a) xml2js alone');
  const parse = await runChild<ImportRequest, ImportResult>(CHILD, { mode: 'parse', bodyFile: lists[0].bodyFile, runs: 2 }).result;

  const engines: EngineResult[] = [];
  const lite: Store = { dataDir: path.join(work, 'pglite'), databaseUrl: null };
  engines.push(
    await measureEngine('PGlite (embedded, default)', lists, lite, () => {
      const copy: Store = { dataDir: path.join(work, 'pglite-serving'), databaseUrl: null };
      cpSync(path.join(lite.dataDir, 'pglite'), path.join(copy.dataDir, 'pglite'), { recursive: true });
      return Promise.resolve(copy);
    }, pki),
  );

  const serverUrl = process.env.BENCH_DATABASE_URL;
  let serverNote = 'PostgreSQL server: not measured (set `BENCH_DATABASE_URL` to a server where the user may `CREATE DATABASE`).';
  if (serverUrl) {
    try {
      const name = `aeo_bench_${Date.now().toString(36)}`;
      engines.push(
        await withPgServer(serverUrl, async (server) => {
          serverNote = `PostgreSQL server: ${server.version} on this machine (127.0.0.1); fresh databases for the run, dropped after it.`;
          const store: Store = { dataDir: path.join(work, 'pg-data'), databaseUrl: await server.createDatabase(name) };
          const copy = async (): Promise<Store> => ({ dataDir: path.join(work, 'pg-serving'), databaseUrl: await server.createDatabase(`${name}_serving`, name) });
          return measureEngine('PostgreSQL server (pg)', lists, store, copy, pki);
        }),
      );
    } catch (err) {
      serverNote = `PostgreSQL server: not measured (${err instanceof Error ? err.message : String(err)}).`;
    }
  }
  return report(lists, parse, engines, serverNote);
}

function report(lists: [ListFiles, ListFiles], parse: ImportResult, engines: readonly EngineResult[], serverNote: string): Section {
  const parseMillis = parse.millis[0]!;
  const summary: SummaryRow[] = [];
  const parseCpu = parse.cpuMillis[0]!;
  const rows: string[][] = [['(a) xml2js alone (baseline)', '—', seconds(parseMillis), '1.00×', `${seconds(parseCpu)} (1.00×)`, mb(parse.maxRssBytes), '—', '—']];
  for (const e of engines) {
    const short = e.engine.split(' (')[0]!;
    for (const [label, run] of [
      ['(b) first import, empty store', e.first],
      ['(c) next FULL list over it (nightly)', e.second],
    ] as const) {
      const millis = run.millis[0]!;
      const cpu = run.cpuMillis[0]!;
      rows.push([label, e.engine, seconds(millis), ratio(millis / parseMillis), `${seconds(cpu)} (${ratio(cpu / parseCpu)})`, mb(run.maxRssBytes), mb(run.rssBeforeBytes), `${run.outcome ?? '?'} ${countsText(run.counts)}`]);
      const name = `${label.slice(0, 3)} ${short}`;
      summary.push(
        { benchmark: 'import', metric: `${name}: time`, value: seconds(millis), baseline: `xml2js ${seconds(parseMillis)}`, target: `≤ ${TARGET_SECONDS} s`, met: millis <= TARGET_SECONDS * 1000 },
        { benchmark: 'import', metric: `${name}: ratio to xml2js`, value: ratio(millis / parseMillis), baseline: '1.00×', target: `≤ ${TARGET_PARSE_RATIO}×`, met: millis / parseMillis <= TARGET_PARSE_RATIO },
        { benchmark: 'import', metric: `${name}: peak RSS`, value: mb(run.maxRssBytes), baseline: `xml2js ${mb(parse.maxRssBytes)}`, target: `≤ ${TARGET_RSS_MB} MB`, met: run.maxRssBytes / 1e6 <= TARGET_RSS_MB },
      );
    }
    const d = e.during;
    const p50Ratio = d.during.p50 / d.before.p50;
    const p99Ratio = d.during.p99 / d.before.p99;
    summary.push(
      { benchmark: 'import', metric: `lookup p50 during (c), ${short} (CO-corrected)`, value: ms(d.during.p50), baseline: `before ${ms(d.before.p50)}`, target: `≤ ${TARGET_SLOWDOWN}× (${ratio(p50Ratio)})`, met: p50Ratio <= TARGET_SLOWDOWN },
      { benchmark: 'import', metric: `lookup p99 during (c), ${short} (CO-corrected)`, value: ms(d.during.p99), baseline: `before ${ms(d.before.p99)}`, target: `≤ ${TARGET_SLOWDOWN}× (${ratio(p99Ratio)})`, met: p99Ratio <= TARGET_SLOWDOWN },
    );
  }

  const stallText = (s: DuringResult['stallsBefore']): string => `${ms(s.max)} (${fmt(s.blockedShare * 100)} %)`;
  const duringRows = engines.flatMap((e) => {
    const d = e.during;
    return [
      [e.engine, `before (${DURING.beforeSeconds} s)`, fmt(d.rawBefore.count), ms(d.before.p50), ms(d.before.p99), `${ms(d.rawBefore.p50)} / ${ms(d.rawBefore.p99)}`, ms(d.rawBefore.max), stallText(d.stallsBefore)],
      [e.engine, `during the import (${seconds(d.importMillis)}, ${d.outcome})`, `${fmt(d.rawDuring.count)} of ~${fmt(d.expectedDuring)}${d.timeouts > 0 ? `, ${d.timeouts} errors` : ''}`, ms(d.during.p50), ms(d.during.p99), `${ms(d.rawDuring.p50)} / ${ms(d.rawDuring.p99)}`, ms(d.rawDuring.max), stallText(d.stallsDuring)],
      [e.engine, '**ratio during / before**', '', `**${ratio(d.during.p50 / d.before.p50)}**`, `**${ratio(d.during.p99 / d.before.p99)}**`, `${ratio(d.rawDuring.p50 / d.rawBefore.p50)} / ${ratio(d.rawDuring.p99 / d.rawBefore.p99)}`, '', ''],
    ];
  });

  const markdown = [
    `List: ${fmt(lists[0].operators)} operators, ${mb(lists[0].bytes, 1)} of XML (generation 0); generation 1 has ${fmt(lists[1].operators)} operators ` +
      `(sequence + 1, ${mb(lists[1].bytes, 1)}). Each import runs in a fresh child process: \`pipeline.receive('EU', 'import', …)\` through ` +
      '`openServices`, the signature verified against a CA made for the run. As in a running gateway, the check worker is started first, and before (c) the lookup index is loaded. ' +
      'Peak RSS is the child’s `getrusage` maxRSS (what `/usr/bin/time -v` reports); "RSS before" is the RSS once the store is open (and the index loaded).',
    '',
    mdTable(['run', 'engine', 'time', 'ratio to (a)', 'CPU time of the process (ratio)', 'peak RSS', 'RSS before', 'outcome (+added ~changed −removed =unchanged)'], rows),
    '',
    '(a) is xml2js alone in its own fresh child: strict UTF-8 decoding, then ' +
      "`new xml2js.Parser({ strict: true, explicitArray: false, explicitRoot: true, mergeAttrs: true, xmlns: false, emptyTag: '' })`, the options of src/catalog/parse.ts. " +
      `The first (cold) run is the baseline, like each import in a fresh process; a second, warm run took ${seconds(parse.millis[1] ?? Number.NaN)}. ` +
      'Times are wall-clock (the targets); the CPU column is the child’s own user + system time, which a busy neighbour disturbs less ' +
      '(the PostgreSQL server’s work is not in it).',
    '',
    serverNote,
    '',
    '**Lookups during an import.** A gateway (`LOG_LEVEL=info`) holding generation 0 (a copy of the store after (b)) serves ' +
      `\`GET ${LOOKUP_PATH}\` to autocannon in a child process: ${DURING.connections} connections at a steady ${fmt(DURING.rate)} req/s, ` +
      'a clearance load well below capacity, so latency is service time rather than queueing. ' +
      `After ${DURING.beforeSeconds} s, generation 1 is applied in the gateway’s own process with \`pipeline.receive('EU', 'push', …)\` ` +
      '(what the push route does once the body is read). A lookup counts as "during" when it was in flight at some point of the import. ' +
      'A blocked server also keeps the client from sending the requests that fall due meanwhile (coordinated omission): p50 and p99 count them, ' +
      `with the latency they would have seen (each connection is due every ${fmt((DURING.connections / DURING.rate) * 1000)} ms; HdrHistogram’s correction); ` +
      'the uncorrected figures count only the requests that were sent. The last column is how late a 10 ms timer in the gateway came at worst, ' +
      'and the share of the window during which it was at least 50 ms late: how long the event loop went without a turn for timers ' +
      '(sockets may still be served inside a long loop turn, so it bounds the lookup stalls from above).',
    '',
    mdTable(['engine', 'window', 'lookups answered', 'p50', 'p99', 'uncorrected p50 / p99', 'max', 'worst timer delay (share ≥ 50 ms late)'], duringRows),
  ].join('\n');
  return { title: '1. Import of a 100 000-operator EU FULL list', markdown, summary };
}

function countsText(counts: ImportResult['counts']): string {
  if (!counts) return '';
  return `+${fmt(counts.added ?? 0)} ~${fmt(counts.changed ?? 0)} −${fmt(counts.removed ?? 0)} =${fmt(counts.unchanged ?? 0)}`;
}
