// A database outage (contract 10, issue 11): the gateway's own PostgreSQL server is stopped and
// started again by the test. Lookups go on from the index, /readyz says the database is away,
// pushes get 503 + Retry-After, a run cut off mid-transaction ends FAILED / DATABASE_UNAVAILABLE
// with nothing applied, and the process neither crashes nor needs a restart. Only the server
// engine can have an outage; PGlite runs inside the process.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  cmsSign,
  euList,
  euOperators,
  expectErrorBody,
  expectRun,
  isoDay,
  lookup,
  makePki,
  push,
  tempDir,
  trustAnchor,
  type TestPki,
} from '../exchange/helpers.js';

const OPS = euOperators(12);
const WATCH = [OPS[0]!.EORI, OPS[7]!.EORI];
const listOf = (sequence: number, suspended: number): Buffer =>
  euList(
    sequence,
    OPS.map((op, i) => (i === suspended ? { ...op, Status: 'SUSPENDED' as const, StatusDate: isoDay(-1) } : op)),
    { generatedAt: `${isoDay(-4 + sequence)}T01:00:00Z` },
  );

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a PostgreSQL outage (pg)', () => {
  let server: PostgresServer;
  let pki: TestPki;
  let certs: { dir: string; remove: () => void };
  let tg: TestGateway;
  let decisions: Record<string, unknown>;

  const lookupAll = async (): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = {};
    for (const code of WATCH) {
      const res = await lookup(tg, code);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      out[code] = res.body.decision;
    }
    return out;
  };
  const eventCount = async (): Promise<number> => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM operator_events')).rows[0]!.n);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    server = await startPostgresServer();
    pki = makePki('EU');
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', pki);
    tg = await startTestGateway({ engine: 'pg', databaseUrl: server.url, certsDir: certs.dir });
    const list1 = listOf(1, 7);
    expectRun(await push(tg, 'EU', list1, cmsSign(list1, pki)), 200, 'APPLIED', null);
    decisions = await lookupAll();
    expect(decisions[OPS[7]!.EORI]).toBe('SUSPENDED');
  });

  afterAll(async () => {
    await tg?.close();
    server?.destroy();
    certs?.remove();
    pki?.remove();
  });

  it('answers lookups from the index, reports the database unavailable, and refuses pushes with 503 + Retry-After', async () => {
    server.stop();
    const ready = await api(`${tg.url}/readyz`, null);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'unavailable' });
    // For a while: idle pool clients and the LISTEN connection lose their server meanwhile.
    for (let i = 0; i < 5; i++) {
      expect(await lookupAll()).toEqual(decisions);
      const batch = await api(`${tg.url}/v1/recognition/batch`, tg.keys.lookup, { body: { codes: WATCH } });
      expect(batch.status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
    }
    const list2 = listOf(2, 3);
    const refused = await push(tg, 'EU', list2, cmsSign(list2, pki));
    expectErrorBody(refused, 503, 'DATABASE_UNAVAILABLE');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Reads that need the database say so with a 503, never a 500.
    const runs = await api(`${tg.url}/v1/exchanges`, tg.keys.admin);
    expectErrorBody(runs, 503, 'DATABASE_UNAVAILABLE');
  });

  it('reconnects by itself once the server is back: the refused list is applied when pushed again', async () => {
    await server.start();
    await until('the database to be up', async () => {
      const res = await api(`${tg.url}/readyz`, null);
      return res.body?.database === 'up' ? res : undefined;
    });
    const list2 = listOf(2, 3);
    expectRun(await push(tg, 'EU', list2, cmsSign(list2, pki)), 200, 'APPLIED', null);
    const now = await lookupAll();
    expect(now[OPS[7]!.EORI]).toBe('RECOGNISED');
    decisions = now;
  });

  it('a run cut off mid-transaction by a restart ends FAILED / DATABASE_UNAVAILABLE, nothing of it applied', async () => {
    const events = await eventCount();
    // Hold the partner's row lock from another session so the publish transaction is inside its
    // transaction, waiting, when the server goes down.
    const blocker = new pg.Client({ connectionString: server.url });
    blocker.on('error', () => undefined);
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT * FROM partner_state WHERE partner = 'EU' FOR UPDATE`);
    const list3 = listOf(3, 0);
    const receiving = tg.gateway.pipeline.receive('EU', 'import', { body: list3, signature: cmsSign(list3, pki) });
    const outcome = receiving.then(
      () => 'resolved',
      (err: unknown) => (err as { code?: string }).code,
    );
    await until('the publish transaction to wait for the row lock', async () => {
      const rows = await blocker.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'aeo-gateway' AND wait_event_type = 'Lock'`,
      );
      return Number(rows.rows[0]!.n) > 0 ? true : undefined;
    });
    server.stop();
    expect(await outcome).toBe('DATABASE_UNAVAILABLE');
    expect(await lookupAll()).toEqual(decisions);
    await blocker.end().catch(() => undefined);
    await server.start();

    const run = await until('the cut-off run to be recorded', async () => {
      const res = await api(`${tg.url}/v1/exchanges?partner=EU&limit=1`, tg.keys.admin);
      const latest = res.body?.exchanges?.[0];
      return latest?.sequence === 3 || latest?.outcome === 'FAILED' ? latest : undefined;
    });
    expect(run).toMatchObject({ outcome: 'FAILED', reason: 'DATABASE_UNAVAILABLE', trigger: 'import', appliedAt: null });
    expect(await eventCount()).toBe(events);
    expect(await lookupAll()).toEqual(decisions);
    // The same list goes through now.
    expectRun(await push(tg, 'EU', list3, cmsSign(list3, pki)), 200, 'APPLIED', null);
    expect((await lookupAll())[OPS[0]!.EORI]).toBe('SUSPENDED');
  });
});
