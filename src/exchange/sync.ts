// A pull run for one partner: once across every process sharing the database (advisory lock),
// then the pipeline. Network failures become FAILED runs, never exceptions.
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors.js';
import type { Db } from '../store/db.js';
import { partnerLockKey } from './locks.js';
import type { Partners } from './partners.js';
import type { InboundPipeline, RunRecorder } from './pipeline.js';
import { pullList, type PullOptions } from './pull.js';
import type { ExchangeRun, Trigger } from './types.js';

export interface SyncDeps {
  db: Db;
  logger: Logger;
  partners: Partners;
  pipeline: InboundPipeline;
  /** The URL to pull a partner's list from, or null when it has none. */
  pullUrlOf: (partner: string) => string | null;
  pullOptions?: Omit<PullOptions, 'maxBytes'>;
}


export class PartnerSync {
  constructor(private readonly deps: SyncDeps) {}

  /** Pulls and processes now. Null when another process is already running this partner's sync. */
  /** `recorder` writes in the transaction that records the run's outcome (the audit row of a manual sync). */
  async sync(partner: string, trigger: Trigger, recorder?: RunRecorder): Promise<ExchangeRun | null> {
    const runtime = this.deps.partners.get(partner);
    if (!runtime) throw new AppError('UNKNOWN_PARTNER', `No exchange partner has the code ${partner}.`);
    const url = this.deps.pullUrlOf(partner);
    if (url === null) throw new AppError('CONFLICT', `No pull URL is configured for ${partner}.`);
    const locked = await this.deps.db.tryWithLock(partnerLockKey(partner, 'sync'), async () => {
      let message;
      try {
        message = await pullList(url, { ...this.deps.pullOptions, maxBytes: runtime.def.manifest.maxBytes });
      } catch (err) {
        const error = isAppError(err) ? err : new AppError('FETCH_FAILED');
        this.deps.logger.warn({ partner, reason: error.code }, 'pull failed');
        return this.deps.pipeline.recordFailure(partner, trigger, error, recorder);
      }
      return this.deps.pipeline.receive(partner, trigger, message, undefined, recorder);
    });
    return locked.acquired ? locked.value : null;
  }
}
