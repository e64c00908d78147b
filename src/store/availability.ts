// Telling "the database server is gone" apart from a bad statement: connection errors become
// DATABASE_UNAVAILABLE (503, retry later), every other error stays what it was.
import { AppError, isAppError } from '../errors.js';
import type { Db } from './db.js';

// Node socket errors while connecting or talking to the server.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// PostgreSQL SQLSTATEs: class 08 (connection exception), admin/crash shutdown, cannot connect now.
const SERVER_GONE = /^(08...|57P01|57P02|57P03)$/;
// What pg says when the socket closes under it or the pool cannot connect in time.
const PG_MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed/i;

export function isConnectionError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  // node tries every address of a host name (IPv4 and IPv6) and reports all failures together.
  if (err instanceof AggregateError && err.errors.some(isConnectionError)) return true;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_GONE.test(code))) return true;
  return typeof message === 'string' && PG_MESSAGES.test(message);
}

/** The server cannot be reached, or was lost: a start waits and tries again; other errors stop it. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return isConnectionError(err) || (isAppError(err) && err.code === 'DATABASE_UNAVAILABLE');
}

/** What a log may say about an unreachable server: its error code, never a message that could quote input. */
export function unavailableReason(err: unknown): string {
  const { code } = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown };
  if (typeof code === 'string' && code.length > 0) return code;
  if (err instanceof AggregateError) return err.errors.map(unavailableReason).find((c) => c !== 'UNKNOWN') ?? 'UNKNOWN';
  return isConnectionError(err) ? 'CONNECTION_LOST' : 'UNKNOWN';
}

/** Host and port of a connection string, without user, password or parameters (for logs). */
export function databaseTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}/${url.pathname.replace(/^\//, '')}`;
  } catch {
    return 'the configured server';
  }
}

/** Rethrows a connection error as DATABASE_UNAVAILABLE; other errors unchanged. */
export function asUnavailable(err: unknown): unknown {
  return isConnectionError(err) ? new AppError('DATABASE_UNAVAILABLE', 'The database is unavailable; try again later.', { cause: 'connection' }) : err;
}

/** Runs `fn`, turning a lost connection into DATABASE_UNAVAILABLE. */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asUnavailable(err);
  }
}

const PROBE_TIMEOUT_MS = 2_000;

/** `SELECT 1` within two seconds, or the database counts as unavailable. */
export async function probeDatabase(db: Pick<Db, 'query'>): Promise<'up' | 'unavailable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'unavailable'>((resolve) => {
    timer = setTimeout(() => resolve('unavailable'), PROBE_TIMEOUT_MS);
  });
  const probe = db.query('SELECT 1 AS ok').then(
    (rows): 'up' | 'unavailable' => (rows.length === 1 ? 'up' : 'unavailable'),
    (): 'unavailable' => 'unavailable',
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
