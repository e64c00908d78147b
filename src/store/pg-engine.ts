// PostgreSQL server engine (DATABASE_URL set).
import pg from 'pg';
import { asUnavailable, guarded } from './availability.js';
import type { Db, Queryable, Row } from './db.js';

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

export async function openPgDb(connectionString: string): Promise<Db> {
  // A bounded connect: during an outage callers get DATABASE_UNAVAILABLE quickly instead of hanging.
  const pool = new pg.Pool({ connectionString, max: 10, application_name: 'aeo-gateway', connectionTimeoutMillis: 5_000 });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');

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
  let listener: pg.Client | null = null;
  const handlers = new Map<string, Set<(payload: string) => void>>();

  const query = <T extends Row>(sql: string, params?: readonly unknown[]): Promise<T[]> =>
    guarded(async () => (await pool.query<T>(sql, params as unknown[] | undefined)).rows);
  const poolBulk = bulk(pool);

  async function listenerClient(): Promise<pg.Client> {
    if (listener) return listener;
    const client = new pg.Client({ connectionString, application_name: 'aeo-gateway-listen' });
    client.on('error', () => undefined);
    client.on('notification', (msg) => {
      for (const h of handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    await client.connect();
    listener = client;
    return client;
  }

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
    async listen(channel, onPayload) {
      const client = await listenerClient();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await client.query(`LISTEN "${channel.replace(/"/g, '')}"`);
      }
      set.add(onPayload);
      return () => {
        set.delete(onPayload);
        return Promise.resolve();
      };
    },
    async notify(channel, payload) {
      await guarded(() => pool.query('SELECT pg_notify($1, $2)', [channel, payload]));
    },
    async tryWithLock(key, fn) {
      const { client, release } = await checkout();
      try {
        const got = await guarded(() => client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]));
        if (!got.rows[0]?.ok) return { acquired: false };
        try {
          return { acquired: true, value: await fn() };
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
        }
      } finally {
        release();
      }
    },
    async withLock(key, fn) {
      const { client, release } = await checkout();
      try {
        await guarded(() => client.query('SELECT pg_advisory_lock($1)', [key]));
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
        }
      } finally {
        release();
      }
    },
    async close() {
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
