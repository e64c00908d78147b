// Applies migrations/NNN_name.sql in order, each in its own transaction, once per database.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));
const SOURCE_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
const MIGRATION_LOCK = 0x4145_4f01; // advisory lock key: several processes may start at once

function migrationsDir(): string {
  // Compiled code lives in dist/src/store, sources in src/store: find the folder either way.
  for (const dir of [SOURCE_MIGRATIONS_DIR, MIGRATIONS_DIR]) {
    try {
      readdirSync(dir);
      return dir;
    } catch {
      // try the next
    }
  }
  throw new Error('migrations folder not found');
}

export async function migrate(db: Db): Promise<string[]> {
  const dir = migrationsDir();
  const files = readdirSync(dir).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const run = async (): Promise<string[]> => {
    await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await db.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = readFileSync(dir + file, 'utf8');
      await db.transaction(async (tx) => {
        await tx.exec(sql);
        await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
      });
      applied.push(file);
    }
    return applied;
  };
  // Wait for another process's migration rather than racing it.
  for (;;) {
    const result = await db.tryWithLock(MIGRATION_LOCK, run);
    if (result.acquired) return result.value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
