// The daily retention job (contract 12.4): raw messages older than AEO_MESSAGE_RETENTION_DAYS go;
// provenance (run records, hashes, signers, operator history) stays. Each kind of stored message has
// a pruner; the outbound side adds its own (`pruners` below) rather than a second job.
import type { Logger } from 'pino';
import type { Db, Queryable } from '../store/db.js';
import { pruneInboundMessages } from '../store/retention-repo.js';

/** Deletes one kind of raw message stored before `cutoff`, in the job's transaction; returns how many. */
export type Pruner = (tx: Queryable, cutoff: Date) => Promise<number>;

const DAY_MS = 86_400_000;
const RETENTION_LOCK = 0x4145_4f07; // one replica prunes at a time
const FIRST_RUN_MS = 60_000; // not in the middle of start-up

export interface RetentionDeps {
  db: Db;
  logger: Logger;
  days: number;
  pruners?: readonly Pruner[];
  now?: () => Date;
}

export class RetentionJob {
  private timers: NodeJS.Timeout[] = [];
  private readonly pruners: readonly Pruner[];

  constructor(private readonly deps: RetentionDeps) {
    this.pruners = deps.pruners ?? [pruneInboundMessages];
  }

  /** One pass now; null when another process is pruning. */
  async runOnce(): Promise<{ deleted: number; cutoff: string } | null> {
    const cutoff = new Date((this.deps.now?.() ?? new Date()).getTime() - this.deps.days * DAY_MS);
    const result = await this.deps.db.tryWithLock(RETENTION_LOCK, () =>
      this.deps.db.transaction(async (tx) => {
        let deleted = 0;
        for (const prune of this.pruners) deleted += await prune(tx, cutoff);
        return deleted;
      }),
    );
    if (!result.acquired) return null;
    this.deps.logger.info({ deleted: result.value, cutoff: cutoff.toISOString() }, 'retention: raw messages deleted');
    return { deleted: result.value, cutoff: cutoff.toISOString() };
  }

  /** A first pass a minute after start, then every 24 h. */
  start(): void {
    const run = (): void => void this.runOnce().catch((err: unknown) => this.deps.logger.error({ err }, 'retention job failed'));
    this.timers.push(setTimeout(run, FIRST_RUN_MS).unref(), setInterval(run, DAY_MS).unref());
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}
