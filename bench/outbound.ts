// Outbound (contract 9.3): building, signing and storing a FULL of 100 000 enterprises and a DELTA
// of 1 000 over it, each after 1 000 register changes, through the real builder on embedded PostgreSQL
// in a directory, next to JSON.stringify of the same records alone in the same run. HK (JSON) and EU (XML). The builder shares the register in
// memory with the register service, as in the gateway; "after a start" rows use a new builder and a
// new register cache, so the register and the partner's last state are read back from the database.
import path from 'node:path';
import { pino } from 'pino';
import { loadCatalog } from '../src/catalog/load.js';
import { RegisterCache } from '../src/domestic/register-cache.js';
import { DomesticRegister } from '../src/domestic/register.js';
import type { Enterprise } from '../src/domestic/types.js';
import { Partners } from '../src/exchange/partners.js';
import { OutboundBuilder } from '../src/outbound/builder.js';
import { selectForPartner } from '../src/outbound/project.js';
import { ensureGeneratedSigner, loadSignerFiles, type OutboundSigner } from '../src/outbound/signer.js';
import { sandboxRegister } from '../src/sandbox/domestic.js';
import type { Db } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import { fmt, log, machine, mdTable, ms, ratio, REPO_ROOT, tempDir, type Section, type SummaryRow } from './util.js';

const SIZE = 100_000;
const DELTA = 1_000;
const RUNS = 3;

/** Wall time, and CPU time of this process (all its threads: gzip runs on libuv's pool). */
interface Time {
  ms: number;
  cpu: number;
}
const timed = async <T>(fn: () => Promise<T>): Promise<Time & { value: T }> => {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const used = process.cpuUsage(c);
  return { ms: performance.now() - t, cpu: (used.user + used.system) / 1000, value };
};
/** The run with the least wall time. */
const best = (a: Time | null, b: Time): Time => (a === null || b.ms < a.ms ? { ms: b.ms, cpu: b.cpu } : a);

interface PartnerFigures {
  partner: string;
  format: string;
  full: Time;
  fullRecords: number;
  fullBytes: number;
  unchangedFull: Time;
  firstFull: Time;
  delta: Time;
  deltaRecords: number;
  importMs: number;
  restartDelta: Time;
}

/**
 * One partner: the first FULL after a start, FULLs each after 1 000 register changes (a weekly FULL
 * after the week's changes), a FULL with nothing changed, DELTAs of 1 000 changes each, then a DELTA by
 * a freshly started builder. The changes are spread over the whole register (every 100th enterprise,
 * from a new offset each round), as a day's changes are.
 */
async function measurePartner(
  ctx: { db: Db; partners: Partners; signer: OutboundSigner; register: DomesticRegister; enterprises: Enterprise[] },
  partner: string,
  round: { n: number },
): Promise<PartnerFigures> {
  const make = (register: RegisterCache) => new OutboundBuilder({ db: ctx.db, partners: ctx.partners, signer: ctx.signer, timeZone: 'Asia/Shanghai', logger: pino({ level: 'silent' }), register });
  const stride = Math.floor(ctx.enterprises.length / DELTA);
  let importMs = Infinity;
  const change = async (): Promise<void> => {
    const n = round.n++;
    const changed = ctx.enterprises.filter((_e, i) => i % stride === n % stride).map((e) => ({ ...e, nameZh: `${e.nameZh}（第${n}次）` }));
    importMs = Math.min(importMs, (await timed(() => ctx.register.import({ kind: 'DELTA', records: changed }, 'bench', 'bench'))).ms);
  };
  // The first FULL after a start: a new register cache reads the whole register from the database.
  const first = await timed(() => make(new RegisterCache()).build({ partner, trigger: 'bench', forceFull: true }));
  const builder = make(ctx.register.cache);
  await builder.build({ partner, trigger: 'bench', forceFull: true });
  let full: Time | null = null;
  let fullRecords = 0;
  let fullBytes = 0;
  for (let i = 0; i < RUNS; i++) {
    await change();
    const r = await timed(() => builder.build({ partner, trigger: 'bench', forceFull: true }));
    full = best(full, r);
    fullRecords = r.value?.counts.enterprises ?? 0;
    const [row] = await ctx.db.query<{ bytes: number }>('SELECT octet_length(body_brotli) AS bytes FROM outbound_batches WHERE id = $1', [r.value!.id]);
    fullBytes = row?.bytes ?? 0;
  }
  let unchangedFull: Time | null = null;
  for (let i = 0; i < RUNS; i++) unchangedFull = best(unchangedFull, await timed(() => builder.build({ partner, trigger: 'bench', forceFull: true })));
  log(`outbound ${partner}: DELTAs of ${fmt(DELTA)} changes`);
  let delta: Time | null = null;
  let deltaRecords = 0;
  for (let i = 0; i < RUNS; i++) {
    await change();
    const r = await timed(() => builder.build({ partner, trigger: 'bench' }));
    delta = best(delta, r);
    deltaRecords = r.value?.counts.enterprises ?? 0;
  }
  // After a start: the register and the partner's last state (its FULL + DELTAs) come from the database.
  await change();
  const restart = await timed(() => make(new RegisterCache()).build({ partner, trigger: 'bench' }));
  const format = ctx.partners.get(partner)!.def.manifest.outbound!.format;
  return {
    partner, format, full: full!, fullRecords, fullBytes, unchangedFull: unchangedFull!, firstFull: first, delta: delta!, deltaRecords, importMs, restartDelta: restart,
  };
}

export async function outboundBenchmark(): Promise<Section> {
  // On a directory, as the gateway keeps it (an in-memory store has other write costs).
  const db = await openDb({ databaseUrl: null, embeddedDir: tempDir('outbound-db') });
  try {
    const register = new DomesticRegister(db);
    const enterprises: Enterprise[] = sandboxRegister(SIZE).map((e) => ({ ...e, level: 'ADVANCED_CERTIFIED', status: 'VALID', rectificationUntil: null }));
    log(`outbound: importing a register of ${fmt(SIZE)} enterprises`);
    await register.import({ kind: 'FULL', records: enterprises }, 'bench', 'bench');
    const defs = await loadCatalog(path.join(REPO_ROOT, 'partners'), path.join(REPO_ROOT, 'schemas'));
    // Definitions straight from the files (no stored versions needed to build lists); no anchors: nothing is verified here.
    const partners = new Partners(defs.map((def) => ({ def, anchors: [], crls: [] })));
    const files = ensureGeneratedSigner(path.join(tempDir('signer'), 'pki'));
    const signer = loadSignerFiles(files.keyFile, files.certFile, null);
    const records = [...selectForPartner(enterprises, partners.get('HK')!.def.manifest.outbound!).records.values()];
    const loadAtStart = machine().loadAverage;
    let baseline: Time | null = null;
    for (let i = 0; i < 5; i++) baseline = best(baseline, await timed(() => Promise.resolve(JSON.stringify(records))));
    const stringify = baseline!;
    const t = (x: Time): string => `${ms(x.ms)} (CPU ${ms(x.cpu)})`;
    const vs = (x: Time): string => `${ratio(x.ms / stringify.ms)} (CPU ${ratio(x.cpu / stringify.cpu)})`;

    const round = { n: 0 };
    const figures: PartnerFigures[] = [];
    for (const partner of ['HK', 'EU']) {
      log(`outbound ${partner}: FULLs of ${fmt(SIZE)}`);
      figures.push(await measurePartner({ db, partners, signer, register, enterprises }, partner, round));
    }
    const loadAtEnd = machine().loadAverage;
    const rows = figures.flatMap((f) => [
      [`${f.partner} (${f.format.toUpperCase()}) FULL after ${fmt(DELTA)} changes: build, sign, store`, fmt(f.fullRecords), t(f.full), vs(f.full), '≤ 2 s and ≤ 3×'],
      [`${f.partner} FULL with nothing changed since the last`, fmt(f.fullRecords), t(f.unchangedFull), vs(f.unchangedFull), '—'],
      [`${f.partner} first FULL after a start (register read from the database)`, fmt(f.fullRecords), t(f.firstFull), vs(f.firstFull), '—'],
      [`${f.partner} DELTA of ${fmt(DELTA)} changes over it: build, sign, store`, fmt(f.deltaRecords), t(f.delta), '—', '≤ 200 ms'],
      [`${f.partner} DELTA after a start (state rebuilt from the stored FULL and DELTAs)`, fmt(f.deltaRecords), t(f.restartDelta), '—', '—'],
      [`the ${fmt(DELTA)}-record register import before each FULL and DELTA (not in their times)`, fmt(DELTA), ms(f.importMs), '—', '—'],
    ]);
    const summary: SummaryRow[] = figures.flatMap((f) => [
      { benchmark: `outbound ${f.partner} FULL of ${fmt(SIZE)}`, metric: `build, sign, store (after ${fmt(DELTA)} changes)`, value: t(f.full), baseline: `JSON.stringify ${t(stringify)}: ${vs(f.full)}`, target: '≤ 2 s and ≤ 3×', met: f.full.ms <= 2000 && f.full.ms <= 3 * stringify.ms },
      { benchmark: `outbound ${f.partner} DELTA of ${fmt(DELTA)}`, metric: 'build, sign, store', value: t(f.delta), baseline: '—', target: '≤ 200 ms', met: f.delta.ms <= 200 },
    ]);
    const markdown = [
      'The real builder (`src/outbound/builder.ts`) on embedded PostgreSQL (PGlite) in a directory, as the gateway keeps it, in one ' +
        'transaction each: the register (in memory, caught up by event id), the partner\'s list caught up on the changed enterprises ' +
        '(`partner-list.ts`), the plan against the partner\'s last state (in memory under the last batch id), canonical bytes, schema ' +
        'check, CMS signature (RSA 2048), Brotli-compressed store. Each FULL and DELTA comes after a register import of 1 000 changes ' +
        'spread over the register (every 100th enterprise), as a day\'s changes are. ' +
        `Best of ${RUNS} by wall time, with the CPU time of the process in that run (on a loaded machine the steadier figure); ` +
        'the "after a start" rows are single runs with a new builder and register cache. ' +
        `A FULL stores ${figures.map((f) => `${f.partner} ${(f.fullBytes / 1e6).toFixed(1)} MB`).join(', ')} (compressed). ` +
        `Load average ${loadAtStart.toFixed(1)} at the start of this section, ${loadAtEnd.toFixed(1)} at its end.`,
      '',
      mdTable(
        ['what', 'records', 'time', 'vs JSON.stringify alone', 'target'],
        [['JSON.stringify of the same records alone (HK\'s projection)', fmt(records.length), t(stringify), '1×', '—'], ...rows],
      ),
    ].join('\n');
    return { title: '5. Outbound lists (FULL of 100 000, DELTA of 1 000)', markdown, summary };
  } finally {
    await db.close();
  }
}
