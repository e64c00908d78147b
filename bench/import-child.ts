// Child process: one parse or import measurement in a fresh process, so its peak RSS
// (getrusage maxRSS, what `/usr/bin/time -v` reports) belongs to that work alone.
import { readFileSync } from 'node:fs';
import xml2js from 'xml2js';
import { loadConfig } from '../src/config.js';
import { openServices } from '../src/main.js';
import { benchLogger, REPO_ROOT, serveChild } from './util.js';

export type ImportRequest =
  | { mode: 'parse'; bodyFile: string; runs: number }
  | {
      mode: 'import';
      bodyFile: string;
      signatureFile: string;
      dataDir: string;
      certsDir: string;
      databaseUrl: string | null;
      /** Load the lookup index first, as a running gateway has it (the nightly case). */
      loadIndexFirst: boolean;
    };

export interface ImportResult {
  /** Wall time of each measured run (parse: every run; import: one). */
  millis: number[];
  /** CPU time (user + system) of this process for each run: less sensitive to noisy neighbours. */
  cpuMillis: number[];
  /** RSS once the bytes are read (and the store opened and the index loaded, for imports). */
  rssBeforeBytes: number;
  /** Peak RSS of the whole child process. */
  maxRssBytes: number;
  outcome?: string;
  reason?: string | null;
  counts?: Record<string, number> | null;
  loadIndexMillis?: number;
}

/** xml2js alone, with the options src/catalog/parse.ts gives it, on the strictly decoded text. */
async function parseOnly(body: Buffer): Promise<void> {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  const parser = new xml2js.Parser({ strict: true, explicitArray: false, explicitRoot: true, mergeAttrs: true, xmlns: false, emptyTag: '' });
  const doc: unknown = await parser.parseStringPromise(text);
  if (doc === null || typeof doc !== 'object') throw new Error('xml2js returned nothing');
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

serveChild<ImportRequest, ImportResult>(async (req) => {
  const body = readFileSync(req.bodyFile);
  const maxRss = (): number => process.resourceUsage().maxRSS * 1024;
  if (req.mode === 'parse') {
    const rssBeforeBytes = process.memoryUsage().rss;
    const millis: number[] = [];
    const cpuMillis: number[] = [];
    for (let i = 0; i < req.runs; i++) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      await parseOnly(body);
      cpuMillis.push(cpuSince(cpu));
      millis.push(performance.now() - t);
    }
    return { millis, cpuMillis, rssBeforeBytes, maxRssBytes: maxRss() };
  }

  const signature = readFileSync(req.signatureFile);
  const env: Record<string, string> = {
    AEO_DATA_DIR: req.dataDir,
    AEO_CERTS_DIR: req.certsDir,
    AEO_API_KEYS: 'admin:bench-import-child-token',
    ...(req.databaseUrl === null ? {} : { DATABASE_URL: req.databaseUrl }),
  };
  const services = await openServices(loadConfig(env, REPO_ROOT), benchLogger('warn'));
  try {
    await services.pipeline.warmUp(); // startGateway starts the check worker before any list arrives
    let loadIndexMillis: number | undefined;
    if (req.loadIndexFirst) {
      const t = performance.now();
      await services.index.refresh();
      loadIndexMillis = performance.now() - t;
    }
    const rssBeforeBytes = process.memoryUsage().rss;
    const t = performance.now();
    const cpu = process.cpuUsage();
    const run = await services.pipeline.receive('EU', 'import', { body, signature });
    const cpuMillis = [cpuSince(cpu)];
    const millis = [performance.now() - t];
    return {
      millis,
      cpuMillis,
      rssBeforeBytes,
      maxRssBytes: maxRss(),
      outcome: run.outcome ?? 'PENDING',
      reason: run.reason,
      counts: run.counts === null ? null : { ...run.counts },
      ...(loadIndexMillis === undefined ? {} : { loadIndexMillis }),
    };
  } finally {
    await services.pipeline.close(); // its check worker would keep the process alive
    await services.db.close();
  }
});
