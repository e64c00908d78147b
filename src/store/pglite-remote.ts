// The main thread's side of the database thread (pglite-thread.ts): the same PGlite calls, sent as
// messages, so a long statement never holds up the event loop that serves lookups. Bulk rows travel
// as COPY text (results as UTF-8 bytes, handed over), built and parsed here in slices with a turn of
// the event loop between slices.
import { Worker } from 'node:worker_threads';
import { fromCopyText, toCopyText } from './copy-text.js';
import type { Queryable, Row } from './db.js';
import { BULK_CHUNK, copyInSql, copyOutSql, type PgliteCore } from './pglite-local.js';
import type { StatementRequest, ThreadError, ThreadRequest, ThreadResponse } from './pglite-thread.js';

/** Rows of COPY text parsed per slice. */
const PARSE_SLICE = 5_000;

/** Omit over each member of a union. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request before it gets its id. */
type Request = OmitEach<ThreadRequest, 'id'>;

const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

function toError(e: ThreadError): Error {
  // A plain Error with the driver's fields: withSafeErrors turns it into a DatabaseError as before.
  return Object.assign(new Error(e.message), e);
}

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8');

/** COPY text as UTF-8 bytes → rows, a slice of lines at a time (a raw newline only ends a row). */
async function parseInSlices(bytes: Uint8Array): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = start;
    for (let n = 0; n < PARSE_SLICE && end < bytes.length; n++) {
      const newline = bytes.indexOf(NEWLINE, end);
      end = newline === -1 ? bytes.length : newline + 1;
    }
    for (const row of fromCopyText(utf8.decode(bytes.subarray(start, end)))) rows.push(row);
    start = end;
    if (start < bytes.length) await turn();
  }
  return rows;
}

export async function openThreadedPglite(threadFile: string, dataDir: string | null): Promise<PgliteCore> {
  const worker = new Worker(threadFile);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const listeners = new Map<number, (payload: string) => void>();
  let nextId = 1;
  let stopped: Error | null = null;
  // Referenced only while waiting for an answer: an idle database keeps no process alive (as in-process).
  worker.unref();

  const stop = (err: Error): void => {
    stopped ??= err;
    for (const p of pending.values()) p.reject(stopped);
    pending.clear();
    worker.unref();
  };
  worker.on('message', (msg: ThreadResponse) => {
    if ('notify' in msg) {
      listeners.get(msg.notify)?.(msg.payload);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (pending.size === 0) worker.unref();
    if (msg.ok) p.resolve(msg.value);
    else p.reject(toError(msg.error));
  });
  worker.on('error', (err) => stop(err));
  worker.on('exit', () => stop(new Error('The embedded database thread stopped.')));

  function call<T>(request: Request): Promise<T> {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  }

  const queryable = (tx: number | null): Queryable => {
    const statement = <T>(r: OmitEach<StatementRequest, 'id' | 'tx'>): Promise<T> => call<T>({ ...r, tx });
    return {
      query: <T extends Row>(sql: string, params?: readonly unknown[]) => statement<T[]>({ op: 'query', sql, params: params as unknown[] | undefined }),
      exec: async (sql) => {
        await statement({ op: 'exec', sql });
      },
      insertMany: async (table, columns, rows) => {
        const sql = copyInSql(table, columns);
        for (let start = 0; start < rows.length; start += BULK_CHUNK) {
          await statement({ op: 'copyIn', sql, text: toCopyText(rows.slice(start, start + BULK_CHUNK)) });
        }
      },
      selectMany: async (sql, params = []) => parseInSlices(await statement<Uint8Array>({ op: 'copyOut', sql: copyOutSql(sql, params) })),
    };
  };

  try {
    await call({ op: 'open', dataDir });
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  let nextTx = 1;
  let nextSub = 1;
  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = nextTx++;
    await call({ op: 'begin', tx });
    let value: T;
    try {
      value = await fn(queryable(tx));
    } catch (err) {
      await call({ op: 'rollback', tx }).catch(() => undefined);
      throw err;
    }
    await call({ op: 'commit', tx });
    return value;
  }
  return {
    ...queryable(null),
    transaction,
    async listen(channel, onPayload) {
      const sub = nextSub++;
      listeners.set(sub, onPayload);
      try {
        await call({ op: 'listen', channel, sub });
      } catch (err) {
        listeners.delete(sub);
        throw err;
      }
      return async () => {
        listeners.delete(sub);
        await call({ op: 'unlisten', sub });
      };
    },
    async notify(channel, payload) {
      await call({ op: 'query', tx: null, sql: 'SELECT pg_notify($1, $2)', params: [channel, payload] });
    },
    async close() {
      try {
        await call({ op: 'close' });
      } finally {
        await worker.terminate();
      }
    },
  };
}
