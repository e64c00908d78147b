// `node --expose-gc dist/bench/index-memory.js [operators…]`: bytes per operator-event of the lookup
// index and its load time from the store, at 100 000 and 1 000 000 operators by default.
//
// Realistic on purpose: the events are written by the store's own insertEvents (EU-shaped records as
// the EU mapping makes them from the sandbox population: EORI code, one authorisation-number alias,
// name, tier, the mapped status and the partner's word, status date, validFrom = EffectiveDate), one
// event per operator (a typical history), into the embedded engine the sandbox uses (or the server
// at AEO_DATABASE_URL). Then a fresh index loads them the way a gateway start does (refresh), and is
// measured after GC: JS heap growth plus the typed arrays it holds. The heap growth counts every
// string the index keeps, as read back from the store (fresh strings per row, not shared test ones).
// ArrayBuffer totals are not used: the embedded engine's own memory lives there.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { OperatorIndex } from '../src/lookup/operator-index.js';
import type { OperatorEvent, OperatorStatus } from '../src/domain/types.js';
import { sandboxPopulation } from '../src/sandbox/population.js';
import type { Db } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import { insertEvents } from '../src/store/operators-repo.js';
import { fmt, log, machine } from './util.js';

const gc = (globalThis as { gc?: () => void }).gc;
const EXCHANGE = '00000000-0000-4000-8000-000000000001';
const STATUS: Record<string, OperatorStatus> = { VALID: 'VALID', SUSPENDED: 'SUSPENDED', REVOKED: 'REVOKED', ANNULLED: 'REVOKED' };
const WRITE_CHUNK = 50_000;

/** BENCH_CPU_PROF_DIR=dir: a CPU profile of each index load alone (not of writing the events). */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Events `from`…`to`-1 of `n` distinct EU operators, cycling the sandbox population with numbered codes. */
function events(from: number, to: number): OperatorEvent[] {
  const base = sandboxPopulation('EU', 0);
  const out: OperatorEvent[] = [];
  for (let i = from; i < to; i++) {
    const op = base[i % base.length]!;
    const country = op.EORI.slice(0, 2);
    const eori = `${country}${String(100_000_000_000 + i)}`;
    out.push({
      partner: 'EU',
      exchangeId: EXCHANGE,
      recordedAt: 0, // insertEvents writes the transaction time it is given
      partnerId: eori,
      declaredCode: eori,
      aliases: [`${country}${op.AuthorisationType}${String(i).padStart(7, '0')}/${op.EffectiveDate.slice(2, 4)}`],
      name: op.Name,
      tier: op.AuthorisationType,
      status: STATUS[op.Status]!,
      partnerStatus: op.Status,
      statusSince: op.StatusDate,
      validFrom: op.EffectiveDate,
      validUntil: null,
    });
  }
  return out;
}

async function write(db: Db, n: number): Promise<void> {
  await db.query('DELETE FROM operator_events');
  await db.query(
    `INSERT INTO exchanges (id, partner, direction, trigger, started_at, outcome, sequence, kind, generated_at, payload_sha256, applied_at)
     VALUES ($1, 'EU', 'inbound', 'import', now(), 'APPLIED', 1, 'FULL', now(), 'bench', now())
     ON CONFLICT (id) DO NOTHING`,
    [EXCHANGE],
  );
  const recordedAt = new Date();
  const written = performance.now();
  for (let from = 0; from < n; from += WRITE_CHUNK) await insertEvents(db, { partner: 'EU', exchangeId: EXCHANGE }, events(from, Math.min(n, from + WRITE_CHUNK)), recordedAt);
  log(`${fmt(n)} operators written to ${db.engine} in ${fmt((performance.now() - written) / 1000, 1)} s`);
}

async function measure(n: number): Promise<void> {
  // BENCH_INDEX_DIR=dir keeps the embedded database there (one per size) and reuses it: writing a
  // million events takes minutes, loading them is what is measured.
  const keep = process.env.BENCH_INDEX_DIR;
  const db = await openDb({ databaseUrl: process.env.AEO_DATABASE_URL ?? null, embeddedDir: keep ? path.join(keep, String(n)) : null });
  try {
    const count = (await db.query<{ count: number }>('SELECT count(*)::float8 AS count FROM operator_events'))[0]?.count ?? 0;
    if (count !== n) await write(db, n);
    else log(`${fmt(n)} operators already in ${keep}`);

    const before = heap();
    const index = new OperatorIndex(db, ['EU']);
    const started = performance.now();
    const cpu = process.cpuUsage();
    await profiled(`index-load-${n}`, () => index.refresh());
    const millis = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6; // on a shared machine: the part that is ours
    const heapBytes = heap() - before;
    const typed = (index as { typedBytes?: number }).typedBytes ?? 0; // absent before the columns
    const bytes = heapBytes + typed;
    if (index.operatorCount !== n) throw new Error(`${index.operatorCount} operators indexed, not ${n}`);
    const last = events(n - 1, n)[0]!;
    const found = [last.declaredCode, ...last.aliases].map((code) => index.history(code)?.[0]);
    if (!found.every((e) => e?.name === last.name && e.validFrom === last.validFrom)) throw new Error('the last operator is not found by its codes');
    log(
      `${fmt(n)} operators (${db.engine}): ${fmt(bytes / n)} bytes per operator-event in the index ` +
        `(${fmt(heapBytes / 1e6)} MB heap + ${fmt(typed / 1e6)} MB typed arrays); loaded from the store in ${fmt(millis / 1000, 2)} s (${fmt(cpuSeconds, 2)} s CPU); ` +
        `load average ${fmt(machine().loadAverage, 2)}`,
    );
  } finally {
    await db.close();
  }
}

if (!gc) throw new Error('run with node --expose-gc');
const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
for (const n of sizes.length > 0 ? sizes : [100_000, 1_000_000]) await measure(n);
