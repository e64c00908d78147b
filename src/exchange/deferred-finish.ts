// Run outcomes that could not be written because the database was unavailable. Kept in memory and
// written once the database answers again, so a run cut off by an outage ends FAILED with its reason
// instead of staying "running" until the next start marks it INTERRUPTED.
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import { finishRun, type RunResult } from '../store/exchanges-repo.js';

const RETRY_MS = 2_000;

export class DeferredFinishes {
  private readonly waiting = new Map<string, { result: RunResult; finishedAt: Date }>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly retryMs = RETRY_MS,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  add(id: string, result: RunResult, finishedAt: Date): void {
    this.waiting.set(id, { result, finishedAt });
    this.logger.warn({ exchangeId: id, reason: result.reason }, 'run outcome kept until the database is back');
    this.schedule();
  }

  /** Writes what it can now; stops retrying. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private schedule(): void {
    if (this.closed || this.timer !== null || this.waiting.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then(() => this.schedule());
    }, this.retryMs);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    for (const [id, { result, finishedAt }] of this.waiting) {
      try {
        // Only a run still without an outcome: a restarted process may have closed it meanwhile.
        await finishRun(this.db, id, result, finishedAt, { onlyIfRunning: true });
        this.waiting.delete(id);
        this.logger.info({ exchangeId: id, outcome: result.outcome, reason: result.reason }, 'deferred run outcome recorded');
      } catch {
        return; // still unavailable: try again later
      }
    }
  }
}
