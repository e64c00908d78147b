// PostgreSQL server engine (DATABASE_URL set).
import pg from 'pg';
import { asUnavailable, guarded } from './availability.js';
import type { Db, Queryable, Row } from './db.js';
import { PgListener } from './pg-listener.js';
import { PgLocks } from './pg-locks.js';

const CHUNK = 5_000; // rows per statement: small parameters, and the event loop turns between statements

type PgRunner = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** The bulk operations on a server: unnested text arrays in, array rows out. */
function bulk(runner: PgRunner): Pick<Queryable, 'insertMany' | 'selectMany'> {
  return {
    async insertMany(table, columns, rows) {
      // Every column travels as a text array and is cast per value (a text[] column too).
      const names = columns.map((c) => c.name).join(', ');
      const casts = columns.map((c, i) => `c${i}::${c.type}`).join(', ');
      const arrays = columns.map((_c, i) => `$${i + 1}::text[]`).join(', ');
      const aliases = columns.map((_c, i) => `c${i}`).join(', ');
      for (let start = 0; start < rows.length; start += CHUNK) {
        const chunk = rows.slice(start, start + CHUNK);
        await runner.query(
          `INSERT INTO ${table} (${names}) SELECT ${casts} FROM unnest(${arrays}) AS u(${aliases})`,
          columns.map((_c, i) => chunk.map((r) => r[i] ?? null)),
        );
      }
    },
    async selectMany(sql, params) {
      const res = await runner.query<(string | null)[]>({ text: sql, values: params as unknown[] | undefined, rowMode: 'array' });
      return res.rows;
    },
  };
}

/** Default bound on waiting for a lock another process holds (a run of a large list takes minutes). */
export const LOCK_WAIT_MS = 15 * 60_000;
/**
 * Waiting this long to connect, or for a pooled connection, is an error (DATABASE_UNAVAILABLE during
 * an outage), not a hang. Locks never take pooled connections (pg-locks.ts), so the pool does not starve.
 */
const CONNECT_TIMEOUT_MS = 10_000;

export async function openPgDb(connectionString: string, lockWaitMs = LOCK_WAIT_MS): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: 10, application_name: 'aeo-gateway', connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    // Unreachable at start: the caller may try again later with a new pool.
    await pool.end().catch(() => undefined);
    throw err;
  }

  /**
   * A client checked out of the pool has no error listener of the pool's: a server shutdown while
   * it is held (an advisory lock across a run) would be an unhandled 'error' event and end the
   * process. Listen while it is out, and destroy it on release when it broke.
   */
  async function checkout(): Promise<{ client: pg.PoolClient; release: () => void }> {
    const client = await guarded(() => pool.connect());
    let broken: Error | undefined;
    const onError = (err: Error): void => {
      broken = err;
    };
    client.on('error', onError);
    return {
      client,
      release: () => {
        client.removeListener('error', onError);
        client.release(broken);
      },
    };
  }
  const listener = new PgListener(connectionString);
  const locks = new PgLocks(connectionString, lockWaitMs);

  const query = <T extends Row>(sql: string, params?: readonly unknown[]): Promise<T[]> =>
    guarded(async () => (await pool.query<T>(sql, params as unknown[] | undefined)).rows);
  const poolBulk = bulk(pool);

  return {
    engine: 'pg',
    query,
    insertMany: (table, columns, rows) => guarded(() => poolBulk.insertMany(table, columns, rows)),
    selectMany: (sql, params) => guarded(() => poolBulk.selectMany(sql, params)),
    async exec(sql) {
      await guarded(() => pool.query(sql));
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const { client, release } = await checkout();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async <R extends Row>(sql: string, params?: readonly unknown[]) =>
            (await client.query<R>(sql, params as unknown[] | undefined)).rows,
          exec: async (sql: string) => {
            await client.query(sql);
          },
          ...bulk(client),
        };
        const value = await fn(tx);
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw asUnavailable(err);
      } finally {
        release();
      }
    },
    listen: (channel, onPayload) => listener.listen(channel, onPayload),
    onReconnect: (hook) => listener.onReconnect(hook),
    async notify(channel, payload) {
      await guarded(() => pool.query('SELECT pg_notify($1, $2)', [channel, payload]));
    },
    // On one connection of their own, never the pool's (pg-locks.ts).
    tryWithLock: (key, fn) => locks.tryWithLock(key, fn),
    withLock: (key, fn) => locks.withLock(key, fn),
    async close() {
      await locks.close();
      await listener.close();
      await pool.end();
    },
  };
}
