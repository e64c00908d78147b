// The one database port. Two engines implement it: a PostgreSQL server through `pg`, or embedded PGlite.
// Repositories write plain SQL that both run; results use only text, int4, float8, bool and jsonb
// columns so both drivers return the same JavaScript values.

export type Row = Record<string, unknown>;

export interface Column {
  name: string;
  /** The SQL type values are cast to (`text`, `date`, `uuid`, `timestamptz`, …). */
  type: string;
}

export type TextRow = readonly (string | null)[];

export interface Queryable {
  /** Appends many rows at once (COPY on PGlite, unnested arrays on a server); values as text. */
  insertMany: (table: string, columns: readonly Column[], rows: readonly TextRow[]) => Promise<void>;
  /** Reads many rows at once; the SQL casts every column to text. */
  selectMany: (sql: string, params?: readonly unknown[]) => Promise<(string | null)[][]>;
  query: <T extends Row = Row>(sql: string, params?: readonly unknown[]) => Promise<T[]>;
  /** Runs several statements (migrations); no parameters. */
  exec: (sql: string) => Promise<void>;
}

export interface Db extends Queryable {
  readonly engine: 'pg' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on a channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Runs `hook` each time the LISTEN connection is back after it was lost: notifications sent
   * meanwhile are gone, so whoever keeps a copy of shared data re-reads it. Returns the unsubscribe.
   */
  onReconnect(hook: () => void): () => void;
  /**
   * Runs `fn` holding a session-level advisory lock, or returns `{ acquired: false }` at once when
   * another session (process) holds it. Same-process callers are serialised by the caller.
   */
  tryWithLock<T>(key: number, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }>;
  /** Runs `fn` holding a session-level advisory lock, waiting for it if another process holds it. */
  withLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
