// Database errors leave the store without the values that were sent. A driver error carries the
// statement's parameters (PGlite: `params`, `query`), `detail` ("Key (id)=(…)"), `where` and a message
// that quotes the offending input; logged as they are, a message body or a registry entry ends up in
// a log line. Every engine call goes through here, so no caller can log one by mistake.
import type { Db, Queryable, Row } from './db.js';

/** A database error as the rest of the gateway sees it: SQLSTATE, names of the schema objects, no values. */
export class DatabaseError extends Error {
  constructor(
    message: string,
    /** SQLSTATE, e.g. `22007` (invalid date), `23505` (unique violation). */
    readonly code: string,
    readonly table?: string,
    readonly column?: string,
    readonly constraint?: string,
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}

interface DriverError {
  message: string;
  code: string;
  severity: string;
  table?: string;
  column?: string;
  constraint?: string;
}

function isDriverError(err: unknown): err is DriverError {
  const e = err as Partial<DriverError> | null;
  return typeof e === 'object' && e !== null && typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
}

/** Words after which PostgreSQL quotes a name of ours, not a value (`relation "exchanges"`). */
const NAME_WORDS = new Set(['relation', 'column', 'constraint', 'table', 'type', 'function', 'index', 'schema', 'database', 'encoding', 'channel', 'sequence', 'role', 'operator', 'trigger', 'view']);
const QUOTED = /(\b[A-Za-z_]+\s)?"(?:[^"]|"")*"/g;

/** The message with every quoted value replaced by `"…"`; quoted schema names are kept. */
export function withoutValues(message: string): string {
  return message.replace(QUOTED, (whole, word: string | undefined) =>
    word !== undefined && NAME_WORDS.has(word.trim().toLowerCase()) ? whole : `${word ?? ''}"…"`,
  );
}

/** A driver error → DatabaseError (code, names, message without values); anything else as it is. */
export function safeError(err: unknown): unknown {
  if (!isDriverError(err)) return err;
  return new DatabaseError(withoutValues(err.message), err.code, err.table, err.column, err.constraint);
}

async function safely<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw safeError(err);
  }
}

function safeQueryable(q: Queryable): Queryable {
  return {
    query: <T extends Row>(sql: string, params?: readonly unknown[]) => safely(() => q.query<T>(sql, params)),
    exec: (sql) => safely(() => q.exec(sql)),
    insertMany: (table, columns, rows) => safely(() => q.insertMany(table, columns, rows)),
    selectMany: (sql, params) => safely(() => q.selectMany(sql, params)),
  };
}

/** The same Db, every call's errors made safe (the transaction's statements too). */
export function withSafeErrors(db: Db): Db {
  return {
    engine: db.engine,
    ...safeQueryable(db),
    transaction: (fn) => safely(() => db.transaction((tx) => fn(safeQueryable(tx)))),
    listen: (channel, onPayload) => safely(() => db.listen(channel, onPayload)),
    notify: (channel, payload) => safely(() => db.notify(channel, payload)),
    tryWithLock: (key, fn) => safely(() => db.tryWithLock(key, fn)),
    withLock: (key, fn) => safely(() => db.withLock(key, fn)),
    close: () => safely(() => db.close()),
    onReconnect: (hook) => db.onReconnect(hook),
  };
}
