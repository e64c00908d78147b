// Embedded engine: PostgreSQL compiled to WebAssembly, in one directory (or in memory for tests).
import { PGlite } from '@electric-sql/pglite';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromCopyText, inlineParams, toCopyText } from './copy-text.js';
import type { Db, Queryable, Row } from './db.js';

const BULK_CHUNK = 5_000;

/** Two processes on one PGlite directory would corrupt it: a lock file with the owner's pid stops the second. */
export function lockDirectory(dataDir: string): () => void {
  const file = path.join(dataDir, '..', path.basename(dataDir) + '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch {
      const owner = Number(readFileSync(file, 'utf8'));
      // Our own pid in the file means an earlier life of this process (a container's PID 1): stale.
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(`The embedded database ${dataDir} is in use by process ${owner}; stop it or use its HTTP API.`);
      }
      rmSync(file, { force: true }); // left by a process that died
    }
  }
  throw new Error(`Cannot lock the embedded database ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `dataDir` null → in memory. PGlite holds its directory exclusively: one process per directory. */
export async function openPgliteDb(dataDir: string | null): Promise<Db> {
  const release = dataDir === null ? () => undefined : lockDirectory(dataDir);
  let db: PGlite;
  try {
    db = dataDir === null ? await PGlite.create() : await PGlite.create(dataDir);
  } catch (err) {
    release();
    throw err;
  }
  const toQueryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <T extends Row>(sql: string, params?: readonly unknown[]) =>
      (await q.query<T>(sql, params as unknown[] | undefined)).rows,
    exec: async (sql: string) => {
      await q.exec(sql);
    },
    // COPY through PGlite's in-memory /dev/blob: many times faster than rows as parameters or results.
    insertMany: async (table, columns, rows) => {
      // PGlite runs on this thread: COPY in chunks, so lookups are served between them.
      for (let start = 0; start < rows.length; start += BULK_CHUNK) {
        const blob = new Blob([toCopyText(rows.slice(start, start + BULK_CHUNK))]);
        await q.query(`COPY ${table} (${columns.map((c) => c.name).join(', ')}) FROM '/dev/blob'`, [], { blob });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
    selectMany: async (sql, params = []) => {
      // COPY takes no parameters: they are inlined as literals (numbers and NUL-free text only).
      const res = await q.query(`COPY (${inlineParams(sql, params)}) TO '/dev/blob'`);
      return res.blob ? fromCopyText(await res.blob.text()) : [];
    },
  });
  const { query, exec, insertMany, selectMany } = toQueryable(db);
  return {
    engine: 'pglite',
    query,
    exec,
    insertMany,
    selectMany,
    transaction: (fn) => db.transaction((tx) => fn(toQueryable(tx))),
    listen: async (channel, onPayload) => {
      const unlisten = await db.listen(channel, onPayload);
      return () => unlisten();
    },
    // In-process: notifications are never lost, so there is no reconnect.
    onReconnect: () => () => undefined,
    async notify(channel, payload) {
      await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    // One process owns the directory, so there is no other session to exclude.
    tryWithLock: async (_key, fn) => ({ acquired: true, value: await fn() }),
    withLock: (_key, fn) => fn(),
    close: async () => {
      await db.close();
      release();
    },
  };
}
