// A start while the PostgreSQL server is unreachable waits for it instead of exiting. Each attempt
// is the whole database-dependent part of the start (open, migrate, load, schedule); when it fails
// because the server cannot be reached, what it opened is closed and it is tried again with backoff.
// Any other failure (a bad migration, a bad partner definition, a wrong password) stops the start.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, unavailableReason } from './availability.js';

/** Delays between attempts: doubling from the first, capped, each ±20 % so replicas spread out. */
export const START_RETRY_MS = { first: 1_000, max: 15_000 } as const;

export function startRetryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(START_RETRY_MS.max, START_RETRY_MS.first * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface WaitOptions {
  logger: Logger;
  /** Where the server is (host:port/database, no credentials), for the log. */
  target: string;
  /** Aborted (SIGTERM): the wait ends at once; `stopIfAborted` then throws. */
  signal?: AbortSignal;
  stopIfAborted: () => void;
  /** Told after each attempt the server could not be reached. */
  onUnavailable?: (attempt: number, retryInMs: number) => void;
  delay?: (attempt: number) => number;
}

/** Runs `attempt` until it succeeds or fails for another reason than an unreachable database. */
export async function retryWhileUnavailable<T>(attempt: () => Promise<T>, opts: WaitOptions): Promise<T> {
  const delay = opts.delay ?? ((n: number) => startRetryDelay(n));
  for (let n = 1; ; n++) {
    opts.stopIfAborted();
    try {
      const value = await attempt();
      if (n > 1) opts.logger.info({ database: opts.target, attempts: n }, 'database reachable; start-up completed');
      return value;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      opts.stopIfAborted();
      const retryInMs = delay(n);
      // The reason is an error code (ECONNREFUSED, 57P03, …): no message, so nothing of the URL or input.
      opts.logger.warn({ database: opts.target, attempt: n, retryInMs, reason: unavailableReason(err) }, 'database unreachable at start; retrying');
      opts.onUnavailable?.(n, retryInMs);
      await sleep(retryInMs, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  }
}
