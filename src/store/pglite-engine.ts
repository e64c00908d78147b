// Embedded engine: PostgreSQL compiled to WebAssembly, in one directory (or in memory for tests),
// run in a worker thread of its own where the build has one (pglite-thread.ts).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';
import { openLocalPglite, type PgliteCore } from './pglite-local.js';
import { openThreadedPglite } from './pglite-remote.js';

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

/** The compiled database thread beside this file; absent when running the TypeScript sources (tests). */
const THREAD_FILE = fileURLToPath(new URL('./pglite-thread.js', import.meta.url));

export function defaultThreadFile(): string | null {
  // Tests only: the compiled thread under the TypeScript sources too, so a suite can run on it.
  const forced = process.env.AEO_TEST_PGLITE_THREAD;
  if (forced) return path.resolve(forced);
  return import.meta.url.endsWith('.js') && existsSync(THREAD_FILE) ? THREAD_FILE : null;
}

export interface PgliteOptions {
  /** The compiled pglite-thread.js to run the database in; null → on this thread. Default: the one beside this file. */
  threadFile?: string | null;
}

/** `dataDir` null → in memory. PGlite holds its directory exclusively: one process per directory. */
export async function openPgliteDb(dataDir: string | null, options: PgliteOptions = {}): Promise<Db> {
  const release = dataDir === null ? () => undefined : lockDirectory(dataDir);
  const threadFile = options.threadFile === undefined ? defaultThreadFile() : options.threadFile;
  let core: PgliteCore;
  try {
    // In its own thread where compiled: a statement there never stops the event loop serving lookups.
    core = threadFile === null ? await openLocalPglite(dataDir) : await openThreadedPglite(threadFile, dataDir);
  } catch (err) {
    release();
    throw err;
  }
  return {
    engine: 'pglite',
    ...core,
    // In-process: notifications are never lost, so there is no reconnect.
    onReconnect: () => () => undefined,
    // One process owns the directory, so there is no other session to exclude.
    tryWithLock: async (_key, fn) => ({ acquired: true, value: await fn() }),
    withLock: (_key, fn) => fn(),
    close: async () => {
      await core.close();
      release();
    },
  };
}
