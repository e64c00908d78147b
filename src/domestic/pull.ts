// Pulling China's register from AEO_DOMESTIC_URL on AEO_DOMESTIC_SCHEDULE (contract 9.1): once across
// processes (advisory lock, as inbound schedules), with the inbound pull's size, time and retry rules
// (src/exchange/pull.ts). Every pull is a domestic import with trigger `pull`, a failed fetch included.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors.js';
import { pullList, type PullOptions } from '../exchange/pull.js';
import type { Db } from '../store/db.js';
import { readImportBody, type DomesticRegister } from './register.js';
import type { ImportRun } from './repo.js';

const PULL_LOCK = createHash('sha256').update('aeo-domestic-pull').digest().readInt32BE(0);
export const PULL_TRIGGER = 'pull';
const ACTOR = 'domestic-pull';

export interface DomesticPullDeps {
  db: Db;
  register: DomesticRegister;
  logger: Logger;
  url: string;
  maxBytes: number;
  /** Time limit, retries and backoff; the inbound pull's defaults when left out. */
  pullOptions?: Omit<PullOptions, 'maxBytes' | 'accept' | 'source'>;
}

export class DomesticPull {
  private running = false;

  constructor(private readonly deps: DomesticPullDeps) {}

  /** Pulls and imports now; null when a pull is already running here or in another process. */
  async run(): Promise<ImportRun | null> {
    // The advisory lock excludes other processes only (and PGlite has one): exclude this one here.
    if (this.running) return null;
    this.running = true;
    try {
      const locked = await this.deps.db.tryWithLock(PULL_LOCK, () => this.pullAndImport());
      return locked.acquired ? locked.value : null;
    } finally {
      this.running = false;
    }
  }

  private async pullAndImport(): Promise<ImportRun> {
    const startedAt = new Date();
    let input;
    try {
      const message = await pullList(this.deps.url, {
        ...this.deps.pullOptions,
        maxBytes: this.deps.maxBytes,
        accept: 'text/csv, application/json',
        source: 'The domestic register source',
      });
      // A CSV register is the whole register (FULL); JSON says its kind.
      input = readImportBody(message.contentType ?? '', message.body, undefined);
    } catch (err) {
      const error = isAppError(err) ? err : new AppError('FETCH_FAILED', 'The domestic register could not be fetched.');
      this.deps.logger.warn({ job: 'domestic-pull', reason: error.code }, 'domestic register pull failed');
      return this.deps.register.recordFailure(PULL_TRIGGER, ACTOR, startedAt, error);
    }
    const run = await this.deps.register.import(input, PULL_TRIGGER, ACTOR);
    this.deps.logger.info({ job: 'domestic-pull', outcome: run.outcome, counts: run.counts }, 'domestic register pulled');
    return run;
  }
}
