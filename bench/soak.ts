// `npm run bench:soak`: 10 minutes (BENCH_SOAK_MINUTES) of steady single lookups at 1 000 req/s
// while the sandbox partners advance and sync every 30 s. Reports errors, p99 per minute (raw and
// corrected for coordinated omission) and the gateway's RSS per minute; writes docs/benchmarks-soak.md.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadRequest, LoadResult } from './load-child.js';
import { correctForOmission, fmt, log, machine, mdTable, ms, percentile, removeTempDirs, REPO_ROOT, runChild, sleep, startBenchGateway, tempDir } from './util.js';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const RATE = 1000;
const CONNECTIONS = 10;
const CYCLE_MS = 30_000;
const PARTNERS = ['EU', 'HK', 'MO'] as const;
const CODE = 'DE123456789012345';

interface Minute {
  rssMax: number;
  latencies: number[];
  /** At the minute's last sample, after a full GC: what the process really retains. */
  heapAfterGc: number;
  externalAfterGc: number;
  /** Operator events stored (history grows by each cycle's changes, and the index with it). */
  events: number;
}

// `node --expose-gc` (npm run bench:soak) lets each sample follow a full collection, so the table
// shows retained memory, not the collector's timing. RSS alone is a high-water mark: freed heap and
// PGlite's WebAssembly memory are not given back to the system.
const collect = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = machine().loadAverage;
  log('soak: starting a sandbox gateway');
  const gw = await startBenchGateway({ sandbox: true, dataDir: tempDir('soak') });
  const minutes: Minute[] = Array.from({ length: MINUTES }, () => ({ rssMax: 0, latencies: [], heapAfterGc: 0, externalAfterGc: 0, events: 0 }));
  const t0 = Date.now();
  const minuteOf = (at: number): number => Math.min(MINUTES - 1, Math.max(0, Math.floor((at - t0) / 60_000)));
  const cycles: { at: number; partner: string; outcome: string; millis: number }[] = [];
  let syncErrors = 0;
  let running = true;

  const rssTimer = setInterval(() => {
    const m = minutes[minuteOf(Date.now())]!;
    m.rssMax = Math.max(m.rssMax, process.memoryUsage().rss);
  }, 1000);
  let sampling = Promise.resolve();
  const gcTimer = setInterval(() => {
    sampling = sampling.then(async () => {
      const m = minutes[minuteOf(Date.now())]!;
      collect?.();
      const mem = process.memoryUsage();
      m.heapAfterGc = mem.heapUsed;
      m.externalAfterGc = mem.external;
      const rows = await gw.gateway.db.query<{ n: number }>('SELECT count(*)::float8 AS n FROM operator_events');
      m.events = rows[0]?.n ?? 0;
    });
  }, 10_000);
  const cyclesDone = (async () => {
    while (running) {
      await sleep(CYCLE_MS);
      if (!running) break;
      for (const partner of PARTNERS) {
        const t = Date.now();
        try {
          const advanced = await fetch(`${gw.url}/sandbox/${partner.toLowerCase()}/advance`, { method: 'POST' });
          if (advanced.status !== 200) throw new Error(`advance answered ${advanced.status}`);
          const run = await gw.gateway.sync.sync(partner, 'manual');
          const outcome = run?.outcome ?? 'SKIPPED';
          if (outcome !== 'APPLIED') syncErrors++;
          cycles.push({ at: t, partner, outcome, millis: Date.now() - t });
        } catch (err) {
          syncErrors++;
          cycles.push({ at: t, partner, outcome: `error: ${err instanceof Error ? err.message : String(err)}`, millis: Date.now() - t });
        }
      }
      log(`soak: cycle ${cycles.length / PARTNERS.length} done, RSS ${fmt(process.memoryUsage().rss / 1e6)} MB`);
    }
  })();

  const request: LoadRequest = {
    url: `${gw.url}/v1/recognition/${CODE}`,
    headers: { authorization: `Bearer ${gw.lookupToken}` },
    connections: CONNECTIONS,
    warmupSeconds: 0,
    durationSeconds: MINUTES * 60,
    overallRate: RATE,
    keepSamples: true,
  };
  log(`soak: ${MINUTES} min at ${RATE} req/s, partners advance and sync every ${CYCLE_MS / 1000} s`);
  const result = await runChild<LoadRequest, LoadResult>('load-child.js', request).result;
  running = false;
  clearInterval(rssTimer);
  clearInterval(gcTimer);
  await sampling;
  await cyclesDone;
  await gw.close();

  const ends = result.endTimes ?? new Float64Array(0);
  for (let i = 0; i < ends.length; i++) minutes[minuteOf(ends[i]!)]!.latencies.push(result.latencies[i]!);
  const interval = (1000 * CONNECTIONS) / RATE;
  const rows = minutes.map((m, i) => {
    const raw = Float64Array.from(m.latencies).sort();
    const corrected = correctForOmission(m.latencies, interval).sort();
    return [
      i + 1, fmt(m.latencies.length / 60), ms(percentile(raw, 99)), ms(percentile(corrected, 99)), fmt(m.rssMax / 1e6),
      collect ? fmt(m.heapAfterGc / 1e6) : '—', collect ? fmt(m.externalAfterGc / 1e6) : '—', fmt(m.events),
    ];
  });
  const firstRss = minutes[1]?.rssMax ?? 0;
  const lastRss = minutes[MINUTES - 1]?.rssMax ?? 0;
  const heapGrowth = (minutes[MINUTES - 1]?.heapAfterGc ?? 0) - (minutes[1]?.heapAfterGc ?? 0);
  const eventGrowth = (minutes[MINUTES - 1]?.events ?? 0) - (minutes[1]?.events ?? 0);
  const m = machine();
  const report = [
    '# Soak benchmark',
    '',
    `Generated by \`npm run bench:soak\` on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}; ` +
      `load average (1 min) ${fmt(loadBefore, 1)} at the start, ${fmt(m.loadAverage, 1)} at the end (the soak itself keeps about one core busy; more means other work shared the machine).`,
    '',
    `${MINUTES} minutes of \`GET /v1/recognition/${CODE}\` at ${fmt(RATE)} req/s over ${CONNECTIONS} connections (autocannon in a child process), ` +
      `while every ${CYCLE_MS / 1000} s each sandbox partner (${PARTNERS.join(', ')}) advances one generation and is synced (pull → verify → parse → diff → publish). ` +
      'Corrected p99: coordinated omission corrected as in section 1 of benchmarks.md. RSS: the gateway process (it also runs the sandbox simulators).',
    '',
    `Lookups: ${fmt(result.requests)} requests, ${fmt(result.non2xx)} non-2xx, ${fmt(result.errors)} errors. ` +
      `Sync cycles: ${fmt(cycles.length / PARTNERS.length)}, ${fmt(syncErrors)} not APPLIED (${[...new Set(cycles.map((c) => c.outcome))].join(', ')}). ` +
      `RSS minute 2 → minute ${MINUTES}: ${fmt(firstRss / 1e6)} → ${fmt(lastRss / 1e6)} MB.` +
      (collect
        ? ` Heap after a full GC, minute 2 → minute ${MINUTES}: ${fmt(heapGrowth / 1e6)} MB, while ${fmt(eventGrowth)} operator events were added to the history ` +
          `(${eventGrowth > 0 ? fmt(heapGrowth / eventGrowth) : '—'} bytes per added event; the index holds every event by design).`
        : ' (Run with `node --expose-gc` for the heap after GC.)'),
    '',
    mdTable(['minute', 'lookups/s', 'p99', 'p99 corrected', 'max RSS (MB)', 'heap after GC (MB)', 'external after GC (MB)', 'operator events stored'], rows),
    '',
  ].join('\n');
  writeFileSync(path.join(REPO_ROOT, 'docs', 'benchmarks-soak.md'), report);
  process.stdout.write(report);
}

main()
  .catch((err: unknown) => {
    log(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(removeTempDirs);
