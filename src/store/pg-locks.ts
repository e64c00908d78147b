// Session-level advisory locks for the server engine, all held on ONE dedicated connection. Holding
// each lock on a pooled connection of its own starved the pool: with more than four partners on one
// schedule, every connection held a `sync` or `run` lock while the runs inside waited for a
// connection to query with. Here locks never take a pooled connection, waits poll with
// pg_try_advisory_lock (the lock connection is never blocked), and a wait is bounded.
import pg from 'pg';
import { AppError } from '../errors.js';
import { guarded } from './availability.js';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 250;

export class PgLocks {
  private session: Promise<pg.Client> | null = null;
  /** Keys this process holds: a session lock is re-entrant, so in-process exclusion is ours to keep. */
  private readonly held = new Set<number>();

  constructor(
    private readonly connectionString: string,
    /** How long withLock waits for a lock another process holds. */
    private readonly waitTimeoutMs: number,
  ) {}

  private connection(): Promise<pg.Client> {
    if (this.session) return this.session;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'aeo-gateway-locks' });
    // A lost connection releases its locks on the server; the next lock opens a new one.
    const lost = (): void => {
      if (this.session === opening) this.session = null;
    };
    client.on('error', lost);
    client.on('end', lost);
    const opening = client.connect().then(() => client);
    opening.catch(lost);
    this.session = opening;
    return opening;
  }

  private async tryAcquire(key: number): Promise<boolean> {
    if (this.held.has(key)) return false;
    this.held.add(key); // reserved before the await: two callers of this process never both get it
    try {
      // A lost server is DATABASE_UNAVAILABLE (503, retry), like every other query.
      const rows = await guarded(async () => (await (await this.connection()).query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key])).rows);
      if (rows[0]?.ok === true) return true;
    } catch (err) {
      this.held.delete(key);
      throw err;
    }
    this.held.delete(key);
    return false;
  }

  private async release(key: number): Promise<void> {
    try {
      await (await this.connection()).query('SELECT pg_advisory_unlock($1)', [key]);
    } catch {
      // The connection is gone, and the server released the lock with it.
    } finally {
      this.held.delete(key);
    }
  }

  async tryWithLock<T>(key: number, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
    if (!(await this.tryAcquire(key))) return { acquired: false };
    try {
      return { acquired: true, value: await fn() };
    } finally {
      await this.release(key);
    }
  }

  async withLock<T>(key: number, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.waitTimeoutMs;
    for (let delay = FIRST_POLL_MS; !(await this.tryAcquire(key)); delay = Math.min(delay * 2, MAX_POLL_MS)) {
      if (Date.now() >= deadline) throw new AppError('CONFLICT', 'Another gateway process has held this partner busy for too long; try again later.');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    try {
      return await fn();
    } finally {
      await this.release(key);
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session) await (await session.catch(() => null))?.end().catch(() => undefined);
  }
}
