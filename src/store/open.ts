// Chooses the engine from the configuration and brings the schema up to date.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPgDb } from './pg-engine.js';
import { openPgliteDb } from './pglite-engine.js';
import { withSafeErrors } from './safe-errors.js';

export interface StoreOptions {
  databaseUrl: string | null;
  /** Directory for the embedded database; null → in memory (tests). */
  embeddedDir: string | null;
  /** Server engine: how long to wait for an advisory lock another process holds (default LOCK_WAIT_MS). */
  lockWaitMs?: number;
}

export async function openDb(opts: StoreOptions): Promise<Db> {
  let db: Db;
  if (opts.databaseUrl !== null) {
    db = withSafeErrors(await openPgDb(opts.databaseUrl, opts.lockWaitMs));
  } else {
    if (opts.embeddedDir !== null) mkdirSync(opts.embeddedDir, { recursive: true });
    db = withSafeErrors(await openPgliteDb(opts.embeddedDir));
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

export function embeddedDbDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}
