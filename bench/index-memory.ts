// `node --expose-gc dist/bench/index-memory.js [operators…]`: heap bytes per operator-event of the
// lookup index (one event per operator, EU-shaped records as the sandbox makes them), at 100 000 and
// 1 000 000 operators by default. Events are added the way a refresh adds them (the index's own
// `add`), without a database: this measures the index's memory, not its load time from a store.
import { OperatorIndex } from '../src/lookup/operator-index.js';
import type { OperatorEvent } from '../src/domain/types.js';
import { sandboxPopulation } from '../src/sandbox/population.js';
import type { Db } from '../src/store/db.js';
import { fmt, log } from './util.js';

const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** `n` distinct EU operator events, cycling the sandbox population with a numbered EORI. */
function events(n: number): (OperatorEvent & { id: number })[] {
  const base = sandboxPopulation('EU', 0);
  const out: (OperatorEvent & { id: number })[] = [];
  for (let i = 0; i < n; i++) {
    const op = base[i % base.length]!;
    const eori = `${op.EORI.slice(0, 2)}${String(100_000_000_000 + i)}`;
    out.push({
      id: i + 1,
      partner: 'EU',
      exchangeId: '00000000-0000-4000-8000-000000000001',
      recordedAt: 1_764_000_000_000,
      partnerId: eori,
      declaredCode: eori,
      aliases: [`${op.AuthorisationNumber}${i}`],
      name: `${op.Name} ${i}`,
      tier: op.AuthorisationType,
      status: 'VALID',
      partnerStatus: op.Status,
      statusSince: op.StatusDate,
      validUntil: null,
      validFrom: null,
    });
  }
  return out;
}

function measure(n: number): void {
  const input = events(n);
  const before = heap();
  const index = new OperatorIndex(null as unknown as Db, ['EU']);
  // The index's private `add` is what a refresh calls per stored event.
  const add = (index as unknown as { add(e: OperatorEvent & { id: number }): void }).add.bind(index);
  const started = performance.now();
  for (const e of input) add(e);
  const millis = performance.now() - started;
  input.length = 0; // the events are now held by the index only
  const bytes = heap() - before;
  log(`${fmt(n)} operators: ${fmt(bytes / n)} bytes per operator-event in the index, ${fmt(bytes / 1e6)} MB; added in ${fmt(millis)} ms`);
  if (index.operatorCount !== n) throw new Error('not every operator was indexed');
}

if (!gc) throw new Error('run with node --expose-gc');
for (const n of process.argv.slice(2).map(Number).filter((x) => x > 0).concat(process.argv.length > 2 ? [] : [100_000, 1_000_000])) measure(n);
