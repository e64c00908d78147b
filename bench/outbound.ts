// Outbound (contract 9.3): building, signing and storing a FULL of 100 000 enterprises and a DELTA
// of 1 000 over it, through the real builder on embedded PostgreSQL, next to JSON.stringify of the
// same records alone in the same run.
import { pino } from 'pino';
import { DomesticRegister } from '../src/domestic/register.js';
import type { Enterprise } from '../src/domestic/types.js';
import { Partners } from '../src/exchange/partners.js';
import { loadCatalog } from '../src/catalog/load.js';
import { OutboundBuilder } from '../src/outbound/builder.js';
import { selectForPartner } from '../src/outbound/project.js';
import { ensureGeneratedSigner, loadSignerFiles } from '../src/outbound/signer.js';
import { sandboxRegister } from '../src/sandbox/domestic.js';
import { openDb } from '../src/store/open.js';
import { fmt, log, mdTable, ms, ratio, REPO_ROOT, tempDir, type Section } from './util.js';
import path from 'node:path';

const SIZE = 100_000;
const DELTA = 1_000;

const best = async (n: number, fn: () => unknown): Promise<number> => {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
};

export async function outboundBenchmark(): Promise<Section> {
  const db = await openDb({ databaseUrl: null, embeddedDir: null });
  try {
    const register = new DomesticRegister(db);
    const enterprises: Enterprise[] = sandboxRegister(SIZE).map((e) => ({ ...e, level: 'ADVANCED_CERTIFIED', status: 'VALID', rectificationUntil: null }));
    log(`outbound: importing a register of ${SIZE} enterprises`);
    await register.import({ kind: 'FULL', records: enterprises }, 'bench', 'bench');
    const defs = await loadCatalog(path.join(REPO_ROOT, 'partners'), path.join(REPO_ROOT, 'schemas'));
    // Definitions straight from the files (no stored versions needed to build lists); no anchors: nothing is verified here.
    const partners = new Partners(defs.map((def) => ({ def, anchors: [], crls: [] })));
    const files = ensureGeneratedSigner(path.join(tempDir('signer'), 'pki'));
    const signer = loadSignerFiles(files.keyFile, files.certFile, null);
    const builder = new OutboundBuilder({ db, partners, signer, timeZone: 'Asia/Shanghai', logger: pino({ level: 'silent' }) });
    const settings = partners.get('HK')!.def.manifest.outbound!;
    const records = [...selectForPartner(enterprises, settings).records.values()];
    const stringify = await best(5, () => JSON.stringify(records));

    let fullSize = 0;
    const full = await best(3, async () => {
      const b = await builder.build({ partner: 'HK', trigger: 'bench', forceFull: true });
      fullSize = b?.counts.enterprises ?? 0;
    });
    log('outbound: a DELTA of 1 000 changes');
    let deltaSize = 0;
    const delta = await best(3, async () => {
      const changed = enterprises.slice(0, DELTA).map((e) => ({ ...e, nameZh: `${e.nameZh}${Math.random().toString(36).slice(2, 6)}` }));
      await register.import({ kind: 'DELTA', records: changed }, 'bench', 'bench');
      const t = performance.now();
      const b = await builder.build({ partner: 'HK', trigger: 'bench' });
      deltaSize = b?.counts.enterprises ?? 0;
      return performance.now() - t;
    });
    // `best` above timed the import as well: time the DELTA build alone once more.
    const changed = enterprises.slice(0, DELTA).map((e) => ({ ...e, nameZh: `${e.nameZh}x` }));
    await register.import({ kind: 'DELTA', records: changed }, 'bench', 'bench');
    const t = performance.now();
    const b = await builder.build({ partner: 'HK', trigger: 'bench' });
    const deltaBuild = performance.now() - t;
    deltaSize = b?.counts.enterprises ?? deltaSize;
    const markdown = [
      `The real builder (\`src/outbound/builder.ts\`) on embedded PostgreSQL (PGlite): read the register, select and project, diff against the last snapshot, canonical JSON, schema check, CMS signature (RSA 2048), gzip snapshot, store — one transaction. Best of 3.`,
      '',
      mdTable(
        ['what', 'records', 'time', 'vs JSON.stringify alone', 'target'],
        [
          ['JSON.stringify of the same records alone', fmt(records.length), ms(stringify), '1×', '—'],
          ['FULL: build, sign, store', fmt(fullSize), ms(full), ratio(full / stringify), '≤ 2 s and ≤ 3×'],
          ['DELTA over it (build only)', fmt(deltaSize), ms(deltaBuild), '—', '≤ 200 ms'],
          ['DELTA incl. the 1 000-record register import', fmt(deltaSize), ms(delta), '—', '—'],
        ],
      ),
    ].join('\n');
    return { title: '5. Outbound lists (FULL of 100 000, DELTA of 1 000)', markdown, summary: [] };
  } finally {
    await db.close();
  }
}
