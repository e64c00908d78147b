// Vitest global setup: starts a real, throwaway PostgreSQL server for the suite (unless
// TEST_DATABASE_URL points at one) and hands its URL to the tests through `inject('pgUrl')`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

function pgBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(path.join(base, v, 'bin', 'initdb'))) return path.join(base, v, 'bin');
  }
  throw new Error('PostgreSQL server binaries not found: install postgresql (apt-get install postgresql) or set PG_BIN_DIR');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway PostgreSQL server the caller can stop and start again (same port, same data). */
export interface PostgresServer {
  /** The `postgres` database of the server, e.g. postgres://postgres@127.0.0.1:54321/postgres */
  url: string;
  /** Stops the server (`pg_ctl stop -m fast`: sessions are terminated, as an operator's restart does). */
  stop(): void;
  /** Starts it again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): void;
}

async function waitForConnections(url: string): Promise<void> {
  const pg = (await import('pg')).default;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = pgBinDir();
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: run it as the postgres user, in a directory it owns.
  const run = (cmd: string, args: string[]): string[] =>
    asRoot ? ['runuser', '-u', 'postgres', '--', path.join(bin, cmd), ...args] : [path.join(bin, cmd), ...args];
  const exec = (cmd: string, args: string[]): void => {
    const [c, ...a] = run(cmd, args);
    execFileSync(c!, a, { stdio: 'ignore' });
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aeo-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const dataDir = path.join(dir, 'data');
  exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    const [pgCmd, ...pgArgs] = run('postgres', [
      '-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
    ]);
    server = spawn(pgCmd!, pgArgs, { stdio: 'ignore' });
    server.unref();
    await waitForConnections(url);
  };
  const stop = (mode: 'fast' | 'immediate'): void => {
    try {
      exec('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
    } catch {
      server?.kill('SIGKILL');
    }
    server = null;
  };
  await launch();
  return {
    url,
    stop: () => stop('fast'),
    start: launch,
    destroy() {
      if (server) stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject): Promise<() => void> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('pgUrl', external);
    return () => undefined;
  }
  const server = await startPostgresServer();
  project.provide('pgUrl', server.url);
  return () => server.destroy();
}
