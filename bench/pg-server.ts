// A PostgreSQL server for a benchmark (BENCH_DATABASE_URL): fresh databases made and dropped again.
import pg from 'pg';

export interface PgServer {
  version: string;
  /** Creates a database (optionally a copy of `template`), dropped again at the end; returns its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
}

export async function withPgServer<T>(adminUrl: string, fn: (server: PgServer) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const created: string[] = [];
  try {
    const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    return await fn({
      version,
      async createDatabase(name, template) {
        await admin.query(`CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template}`}`);
        created.push(name);
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        return url.toString();
      },
    });
  } finally {
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
