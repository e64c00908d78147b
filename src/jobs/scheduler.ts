// Nightly (or as the manifest says) pulls, in AEO_TIMEZONE. Each run happens once across processes:
// the sync takes the partner's advisory lock and skips when another process holds it.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

/** What a schedule runs: an inbound sync, or an outbound build (both skip when another process runs it). */
export interface ScheduledRunner {
  sync(partner: string, trigger: 'schedule'): Promise<unknown>;
}

export interface ScheduleEntry {
  partner: string;
  expression: string;
}

export class Scheduler {
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly expressions = new Map<string, string>();

  constructor(
    private readonly sync: ScheduledRunner,
    private readonly timeZone: string,
    private readonly logger: Logger,
    private readonly name = 'sync',
  ) {}

  start(entries: readonly ScheduleEntry[]): void {
    for (const { partner, expression } of entries) {
      const task = cron.schedule(
        expression,
        async () => {
          try {
            const run = await this.sync.sync(partner, 'schedule');
            if (run === null) this.logger.info({ partner, job: this.name }, 'scheduled run skipped: another process runs it');
          } catch (err) {
            this.logger.error({ err, partner, job: this.name }, 'scheduled run failed');
          }
        },
        { timezone: this.timeZone, name: `${this.name}-${partner}`, noOverlap: true },
      );
      this.tasks.set(partner, task);
      this.expressions.set(partner, expression);
    }
  }

  /**
   * Brings the schedules in line with `entries` (after a partner version was activated): a partner
   * whose expression is unchanged keeps its task; changed, new and gone ones are replaced.
   */
  async replan(entries: readonly ScheduleEntry[]): Promise<void> {
    const wanted = new Map(entries.map((e) => [e.partner, e.expression]));
    for (const [partner, task] of [...this.tasks]) {
      if (wanted.get(partner) === this.expressions.get(partner)) continue;
      await task.destroy();
      this.tasks.delete(partner);
      this.expressions.delete(partner);
    }
    this.start(entries.filter((e) => !this.tasks.has(e.partner)));
  }

  nextRunAt(partner: string): Date | null {
    return this.tasks.get(partner)?.getNextRun() ?? null;
  }

  async stop(): Promise<void> {
    for (const task of this.tasks.values()) await task.destroy();
    this.tasks.clear();
    this.expressions.clear();
  }
}

export function isValidSchedule(expression: string): boolean {
  return cron.validate(expression);
}
