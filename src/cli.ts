#!/usr/bin/env node
// The command line: the same services as the server. `serve`, `agreements`, `import`, `lookup`,
// `audit verify`, `backup`, `restore`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { loadServeConfig } from './config-files.js';
import { dateInZone, isIsoDate } from './domain/dates.js';
import { verify } from './audit/audit-log.js';
import { readImportBody } from './domestic/register.js';
import { cliActor } from './onboarding/actor.js';
import { isAppError } from './errors.js';
import { createLogger } from './logger.js';
import { openServices, startGateway, StartAborted, type Gateway } from './main.js';
import { agreementListView } from './registry/view.js';
import { renderTable } from './cli-table.js';
import { embeddedDbDir, openDb } from './store/open.js';
import { backupEmbedded, BackupError, restoreEmbedded } from './store/pglite-backup.js';
import { partnerCommand, PARTNER_USAGE } from './cli-partner.js';

const USAGE = `Usage: aeo-gateway <command> [options]

Commands:
  serve                                   run the gateway (HTTP API, schedules)
  agreements [--json]                     list the agreement registry
  import --partner EU LIST SIGNATURE      apply a signed list file pair (e.g. list.xml list.xml.p7s)
  domestic import FILE [--kind DELTA]     import China's register (CSV, or JSON with its own kind)
  lookup CODE [--date YYYY-MM-DD] [--json]  answer "is this a recognised AEO?" from the local store
  audit verify                            check the audit log's hash chain; exit 1 at the first broken link
  backup FILE                             write the embedded database to FILE (gateway stopped)
  restore FILE                            restore FILE into an empty embedded database directory
  partner draft|dry-run|activate ...      partner versions (run "aeo-gateway partner" for the forms)

Configuration comes from the environment (see docs/configuration.md).`;

// `aeo-gateway agreements | head` closes stdout early: stop writing, but still close the store cleanly.
let stdoutClosed = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  stdoutClosed = true;
});

const out = (text: string): void => {
  if (!stdoutClosed) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

async function serve(config: Readonly<Config>): Promise<void> {
  const logger = createLogger(config.logLevel);
  // Signals are handled from the first moment: a SIGTERM during start-up stops the start at its
  // next step, which closes the store (and the embedded database's lock) again; exit 0 either way.
  const abort = new AbortController();
  let gateway: Gateway | null = null;
  let stopping = false;
  const closeAndExit = (gw: Gateway): void => {
    gw.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, starting: gateway === null }, 'shutting down');
    if (gateway) closeAndExit(gateway);
    else abort.abort();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    gateway = await startGateway(config, logger, { signal: abort.signal });
  } catch (err) {
    if (err instanceof StartAborted) process.exit(0);
    throw err;
  }
  // A signal between the start's last step and here.
  if (stopping) closeAndExit(gateway);
}

async function withServices<T>(config: Readonly<Config>, fn: (s: Awaited<ReturnType<typeof openServices>>) => T | Promise<T>): Promise<T> {
  // Commands print their own output; logs go to stderr and only when something is wrong.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const services = await openServices(config, logger);
  try {
    await services.index.refresh();
    return await fn(services);
  } finally {
    await services.pipeline.close();
    await services.db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  // Only the server takes API calls; the other commands act on the local store and need no keys.
  const config =
    command === 'serve' ? await loadServeConfig(process.env, process.cwd()) : loadConfig(process.env, process.cwd(), { requireApiKeys: false });
  switch (command) {
    case 'serve':
      await serve(config);
      return -1; // keeps running
    case 'agreements': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      return withServices(config, ({ registry, partners }) => {
        const today = dateInZone(Date.now(), config.timeZone);
        const view = agreementListView(registry.snapshot().agreements, today, (id) => partners.exchangeLink(id));
        if (values.json) out(JSON.stringify(view, null, 2));
        else {
          out(renderTable(['id', 'partner', 'economies', 'in force on', 'status', 'recognised tiers', 'conf'],
            view.agreements.map((a) => [a.id, a.partner, String(a.economies.length), a.inForceOn ?? '—', a.status, a.recognisedTiers.join(' ') || '—', a.confidence])));
          out(`${view.count} agreements, ${view.economyCount} economies`);
        }
        return 0;
      });
    }
    case 'import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { partner: { type: 'string' } } });
      const [listFile, sigFile] = positionals;
      if (!values.partner || !listFile || !sigFile) {
        out('Usage: aeo-gateway import --partner EU list.xml list.xml.p7s');
        return 2;
      }
      const partner = values.partner.toUpperCase();
      const body = readFileSync(listFile);
      const signature = readFileSync(sigFile);
      return withServices(config, async ({ pipeline }) => {
        const progress = startProgress(`${partner}, ${(body.length / 1e6).toFixed(1)} MB`, IMPORT_STAGES);
        const run = await pipeline.receive(partner, 'import', { body, signature }, progress.stage).finally(progress.stop);
        out(JSON.stringify(run, null, 2));
        return run.outcome === 'APPLIED' || run.outcome === 'NO_CHANGE' ? 0 : 1;
      });
    }
    case 'domestic': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { kind: { type: 'string' } } });
      const [sub, file] = positionals;
      if (sub !== 'import' || !file || (values.kind !== undefined && values.kind !== 'FULL' && values.kind !== 'DELTA')) {
        out('Usage: aeo-gateway domestic import FILE [--kind DELTA]');
        return 2;
      }
      const body = readFileSync(file);
      const input = readImportBody(/\.json$/i.test(file) ? 'application/json' : 'text/csv', body, values.kind);
      return withServices(config, async ({ domestic }) => {
        const progress = startProgress(`register, ${(body.length / 1e6).toFixed(1)} MB`, 2);
        const actor = cliActor();
        const run = await domestic.import(input, 'cli', actor.name, { stage: progress.stage, audit: { actor } }).finally(progress.stop);
        out(JSON.stringify(run, null, 2));
        return run.outcome === 'APPLIED' || run.outcome === 'NO_CHANGE' ? 0 : 1;
      });
    }
    case 'lookup': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { date: { type: 'string' }, json: { type: 'boolean' } } });
      const code = positionals[0];
      if (code === undefined || (values.date !== undefined && !isIsoDate(values.date))) {
        out('Usage: aeo-gateway lookup CODE [--date YYYY-MM-DD] [--json]');
        return 2;
      }
      return withServices(config, ({ lookup }) => {
        const now = Date.now();
        const answer = lookup.recognise(code, values.date ?? lookup.today(now), now, now);
        if (values.json) out(JSON.stringify(answer, null, 2));
        else {
          out(`${answer.code} on ${answer.date}: ${answer.decision}${answer.stale ? ' (data stale)' : ''}`);
          if (answer.operator) out(`  ${answer.operator.name} — tier ${answer.operator.tier}, ${answer.operator.status} since ${answer.operator.statusSince}`);
          if (answer.provenance) out(`  from exchange ${answer.provenance.exchangeId} (sequence ${answer.provenance.sequence})`);
        }
        return answer.decision === 'INVALID_CODE' ? 2 : 0;
      });
    }
    case 'audit': {
      if (rest[0] !== 'verify' || rest.length !== 1) {
        out('Usage: aeo-gateway audit verify');
        return 2;
      }
      const db = await openDb({ databaseUrl: config.databaseUrl, embeddedDir: embeddedDbDir(config.dataDir) });
      try {
        const result = await verify(db);
        if (result.ok) out(`audit log intact: ${result.rows} rows`);
        else out(`audit log broken at row ${result.id}: ${result.problem}; the ${result.rows} rows before it are intact`);
        return result.ok ? 0 : 1;
      } finally {
        await db.close();
      }
    }
    case 'backup':
    case 'restore': {
      const file = rest[0];
      if (file === undefined || rest.length !== 1) {
        out(`Usage: aeo-gateway ${command} FILE`);
        return 2;
      }
      if (config.databaseUrl !== null) {
        out(`${command} is for the embedded database; with DATABASE_URL use pg_dump / pg_restore (docs/operations.md).`);
        return 2;
      }
      const dir = embeddedDbDir(config.dataDir);
      try {
        if (command === 'backup') out(`backup written: ${file} (${(await backupEmbedded(dir, file)).bytes} bytes)`);
        else out(`restored ${file} into ${dir} (${(await restoreEmbedded(dir, file)).migrations} migrations applied in it); start the gateway`);
        return 0;
      } catch (err) {
        if (!(err instanceof BackupError)) throw err;
        process.stderr.write(`${err.message}\n`);
        return 1;
      }
    }
    case 'partner':
      if (rest.length === 0) {
        out(PARTNER_USAGE);
        return 2;
      }
      return withServices(config, ({ onboarding }) => partnerCommand(rest, onboarding, out));
    default:
      out(`Unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

/** The stages of an import the pipeline reports, in order (for the bar's length). */
const IMPORT_STAGES = 3;

/** A progress bar on stderr while a long import runs (TTY only): stage n of N, its name, elapsed time. */
function startProgress(label: string, stages: number): { stage: (name: string) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { stage: () => undefined, stop: () => undefined };
  const started = Date.now();
  let done = 0;
  let name = 'starting';
  const draw = (): void => {
    const width = 20;
    // Filled by the stages already finished; the current one is named.
    const filled = Math.round((Math.max(0, Math.min(done - 1, stages)) / stages) * width);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${stages} ${label}: ${name} — ${seconds} s`);
  };
  const timer = setInterval(draw, 200);
  return {
    stage: (stage) => {
      done++;
      name = stage;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else if (isAppError(err)) process.stderr.write(`${err.code}: ${err.message}\n`);
    else process.stderr.write(`aeo-gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
