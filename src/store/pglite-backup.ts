// Backup and restore of the embedded database (contract 12.4): PGlite's own tarball of its data
// directory (dumpDataDir / loadDataDir), taken while no gateway holds the directory. A PostgreSQL
// server is backed up with pg_dump instead (docs/operations.md).
import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lockDirectory } from './pglite-engine.js';

export class BackupError extends Error {
  override name = 'BackupError';
}

const isEmptyDir = (dir: string): boolean => !existsSync(dir) || readdirSync(dir).length === 0;

/** Writes a gzip tarball of the embedded database in `dataDir` to `file` (never over an existing file). */
export async function backupEmbedded(dataDir: string, file: string): Promise<{ bytes: number }> {
  if (isEmptyDir(dataDir)) throw new BackupError(`There is no embedded database in ${dataDir} to back up.`);
  if (existsSync(file)) throw new BackupError(`${file} exists already; choose a new file name.`);
  const release = lockDirectory(dataDir);
  try {
    const db = await PGlite.create(dataDir);
    try {
      const tarball = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
      // Written beside, then renamed: a cut-off backup never looks complete.
      writeFileSync(`${file}.partial`, tarball, { mode: 0o600 });
      renameSync(`${file}.partial`, file);
      return { bytes: tarball.length };
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}

/** Restores a backup into `dataDir`, which must be empty or absent; checks it is a gateway database. */
export async function restoreEmbedded(dataDir: string, file: string): Promise<{ migrations: number }> {
  if (!isEmptyDir(dataDir)) {
    throw new BackupError(`The embedded database directory ${dataDir} is not empty; restore only into an empty data directory.`);
  }
  const tarball = readFileSync(file);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const release = lockDirectory(dataDir);
  try {
    let db: PGlite | null = null;
    try {
      db = await PGlite.create(dataDir, { loadDataDir: new Blob([tarball]) });
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      return { migrations: rows.rows[0]?.n ?? 0 };
    } catch {
      await db?.close().catch(() => undefined);
      db = null;
      rmSync(dataDir, { recursive: true, force: true });
      throw new BackupError(`${file} is not a backup of an aeo-gateway embedded database.`);
    } finally {
      await db?.close();
    }
  } finally {
    release();
  }
}
