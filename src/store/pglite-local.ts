// PGlite's own calls behind the Db port, on the thread that runs them: the gateway's main thread
// when no compiled database thread exists (tests on the TypeScript sources), or the database
// thread itself (pglite-thread.ts).
import { PGlite } from '@electric-sql/pglite';
import { fromCopyText, inlineParams, toCopyText } from './copy-text.js';
import type { Column, Db, Queryable, Row } from './db.js';

/** What an engine file adds locks, reconnects and the directory lock to. */
export type PgliteCore = Pick<Db, 'query' | 'exec' | 'insertMany' | 'selectMany' | 'transaction' | 'listen' | 'notify' | 'close'>;

/** Rows per COPY statement: the thread running PGlite answers nothing else while one runs. */
export const BULK_CHUNK = 5_000;

// COPY through PGlite's in-memory /dev/blob: many times faster than rows as parameters or results.
export const copyInSql = (table: string, columns: readonly Column[]): string => `COPY ${table} (${columns.map((c) => c.name).join(', ')}) FROM '/dev/blob'`;
// COPY takes no parameters: they are inlined as literals (numbers and NUL-free text only).
export const copyOutSql = (sql: string, params: readonly unknown[]): string => `COPY (${inlineParams(sql, params)}) TO '/dev/blob'`;

export type PgliteRunner = Pick<PGlite, 'query' | 'exec'>;

/** COPY text into a table. */
export async function copyIn(q: PgliteRunner, sql: string, text: string): Promise<void> {
  await q.query(sql, [], { blob: new Blob([text]) });
}

/** A COPY … TO statement's text ('' when no rows). */
export async function copyOut(q: PgliteRunner, sql: string): Promise<string> {
  const res = await q.query(sql);
  return res.blob ? res.blob.text() : '';
}

const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export function localQueryable(q: PgliteRunner): Queryable {
  return {
    query: async <T extends Row>(sql: string, params?: readonly unknown[]) => (await q.query<T>(sql, params as unknown[] | undefined)).rows,
    exec: async (sql: string) => {
      await q.exec(sql);
    },
    insertMany: async (table, columns, rows) => {
      // In chunks, with a turn of the event loop between them: this thread may also serve lookups.
      for (let start = 0; start < rows.length; start += BULK_CHUNK) {
        await copyIn(q, copyInSql(table, columns), toCopyText(rows.slice(start, start + BULK_CHUNK)));
        await turn();
      }
    },
    selectMany: async (sql, params = []) => fromCopyText(await copyOut(q, copyOutSql(sql, params))),
  };
}

/** `dataDir` null → in memory. */
export async function openLocalPglite(dataDir: string | null): Promise<PgliteCore> {
  const db = dataDir === null ? await PGlite.create() : await PGlite.create(dataDir);
  return {
    ...localQueryable(db),
    transaction: (fn) => db.transaction((tx) => fn(localQueryable(tx))),
    listen: async (channel, onPayload) => {
      const unlisten = await db.listen(channel, onPayload);
      return () => unlisten();
    },
    async notify(channel, payload) {
      await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    close: () => db.close(),
  };
}
