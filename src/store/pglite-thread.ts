// Worker thread that owns the embedded database. PGlite is WebAssembly and never yields inside a
// statement: on the main thread one COPY, commit or large read stops every lookup until it ends.
// Here it only stops this thread. The main thread talks to it through pglite-remote.ts.
import { parentPort } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { copyIn, type PgliteRunner } from './pglite-local.js';

/** Statements: `tx` names an open transaction (null: outside any). */
export type StatementRequest =
  | { id: number; op: 'query'; tx: number | null; sql: string; params: unknown[] | undefined }
  | { id: number; op: 'exec'; tx: number | null; sql: string }
  | { id: number; op: 'copyIn'; tx: number | null; sql: string; text: string }
  | { id: number; op: 'copyOut'; tx: number | null; sql: string };

/** Ends transaction `tx`. */
export interface TxEnd {
  id: number;
  op: 'commit' | 'rollback';
  tx: number;
}

export type ThreadRequest =
  | StatementRequest
  | { id: number; op: 'open'; dataDir: string | null }
  | { id: number; op: 'begin'; tx: number }
  | TxEnd
  | { id: number; op: 'listen'; channel: string; sub: number }
  | { id: number; op: 'unlisten'; sub: number }
  | { id: number; op: 'close' };

/** What crosses back of a failure: SQLSTATE and schema names (safe-errors.ts reads them), never values. */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
  severity?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

export type ThreadResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ThreadError } | { notify: number; payload: string };


/** The requests of one open transaction, run in the order they came. */
class TxQueue {
  private readonly items: (StatementRequest | TxEnd)[] = [];
  private waiter: ((r: StatementRequest | TxEnd) => void) | null = null;

  push(r: StatementRequest | TxEnd): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(r);
    } else this.items.push(r);
  }

  next(): Promise<StatementRequest | TxEnd> {
    const r = this.items.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

/** Thrown inside PGlite's transaction to roll it back at the main thread's request. */
const ROLLBACK = new Error('rolled back');
let db: PGlite | null = null;
const txs = new Map<number, TxQueue>();
const unlistens = new Map<number, () => Promise<void>>();

const post = (msg: ThreadResponse, transfer: ArrayBuffer[] = []): void => parentPort?.postMessage(msg, transfer);
// Bytes (COPY … TO) are handed over, not copied.
const ok = (id: number, value: unknown): void => post({ id, ok: true, value }, value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : []);
const fail = (id: number, err: unknown): void => post({ id, ok: false, error: threadError(err) });

function threadError(err: unknown): ThreadError {
  if (typeof err !== 'object' || err === null) return { name: 'Error', message: String(err) };
  const e = err as Record<string, unknown>;
  const text = (k: string): string | undefined => (typeof e[k] === 'string' ? e[k] : undefined);
  const out: ThreadError = { name: text('name') ?? 'Error', message: text('message') ?? 'The embedded database failed.' };
  for (const k of ['code', 'severity', 'table', 'column', 'constraint'] as const) {
    const v = text(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function open(): PGlite {
  if (!db) throw new Error('The embedded database is not open.');
  return db;
}

async function statement(q: PgliteRunner, r: StatementRequest): Promise<unknown> {
  switch (r.op) {
    case 'query':
      return (await q.query(r.sql, r.params)).rows;
    case 'exec':
      await q.exec(r.sql);
      return null;
    case 'copyIn':
      await copyIn(q, r.sql, r.text);
      return null;
    case 'copyOut': {
      // As UTF-8 bytes: no text copy of a 100 000-row result in this thread, none cloned to the main one.
      const res = await q.query(r.sql);
      return res.blob ? new Uint8Array(await res.blob.arrayBuffer()) : new Uint8Array(0);
    }
  }
}

/** Holds PGlite's transaction open until the main thread commits or rolls it back. */
function begin(r: Extract<ThreadRequest, { op: 'begin' }>): void {
  if (!db) return fail(r.id, new Error('The embedded database is not open.'));
  const queue = new TxQueue();
  txs.set(r.tx, queue);
  let endId = r.id; // a failed BEGIN answers the begin request
  void db
    .transaction(async (tx: Transaction) => {
      ok(r.id, null);
      for (;;) {
        const next = await queue.next();
        endId = next.id;
        if (!('sql' in next)) {
          if (next.op === 'commit') return;
          throw ROLLBACK;
        }
        await statement(tx, next).then(
          (value) => ok(next.id, value),
          (err: unknown) => fail(next.id, err),
        );
      }
    })
    .then(
      () => ok(endId, null),
      (err: unknown) => (err === ROLLBACK ? ok(endId, null) : fail(endId, err)),
    )
    .finally(() => txs.delete(r.tx));
}

async function handle(r: ThreadRequest): Promise<unknown> {
  switch (r.op) {
    case 'open':
      db = r.dataDir === null ? await PGlite.create() : await PGlite.create(r.dataDir);
      return null;
    case 'listen': {
      const unlisten = await open().listen(r.channel, (payload) => post({ notify: r.sub, payload }));
      unlistens.set(r.sub, unlisten);
      return null;
    }
    case 'unlisten':
      await unlistens.get(r.sub)?.();
      unlistens.delete(r.sub);
      return null;
    case 'close':
      await open().close();
      db = null;
      return null;
    default:
      return statement(open(), r as StatementRequest);
  }
}

parentPort?.on('message', (r: ThreadRequest) => {
  if (r.op === 'begin') return begin(r);
  const tx = 'tx' in r ? r.tx : null;
  if (tx !== null) {
    const queue = txs.get(tx);
    if (queue) queue.push(r as StatementRequest | TxEnd);
    else fail(r.id, new Error('The transaction is not open.'));
    return;
  }
  handle(r).then(
    (value) => ok(r.id, value),
    (err: unknown) => fail(r.id, err),
  );
});
