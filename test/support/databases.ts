// Both storage engines for tests: a fresh database on the suite's PostgreSQL server, or in-memory PGlite.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { openDb } from '../../src/store/open.js';

export const ENGINES = ['pg', 'pglite'] as const;
export type Engine = (typeof ENGINES)[number];

/** Creates an empty database on the test server and returns its URL. */
export async function createServerDatabase(): Promise<string> {
  const admin = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A migrated, empty database on the given engine. */
export async function openTestDb(engine: Engine): Promise<Db> {
  if (engine === 'pg') return openDb({ databaseUrl: await createServerDatabase(), embeddedDir: null });
  return openDb({ databaseUrl: null, embeddedDir: null });
}
