// A process started while its PostgreSQL server is down (issue 11): it stays up, /healthz answers,
// /readyz is 503 with the database state, lookups and every other route answer 503 NOT_READY (never
// a wrong answer), it retries with backoff (logged, no credentials), and once the server is back it
// completes its start by itself: migrations, index, schedules. Then the schedules survive an outage
// of the running process: ticks during it fail or are skipped, the next tick after it applies.
// A real PostgreSQL server that the test stops and starts; a partner served over real HTTP and
// pulled on a two-second cron schedule. Only the server engine can have an outage.
import { randomBytes } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, euList, euOperators, isoDay, makePki, tempDir, trustAnchor, type TestPki } from '../exchange/helpers.js';

const PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
const OPS = euOperators(6);
const WATCH = OPS[4]!.EORI;
/** Sequence 1: WATCH valid; sequence 2: WATCH suspended. */
const listOf = (sequence: number): Buffer =>
  euList(
    sequence,
    OPS.map((op, i) => (i === 4 && sequence >= 2 ? { ...op, Status: 'SUSPENDED' as const, StatusDate: isoDay(-1) } : op)),
    { generatedAt: `${isoDay(-4 + sequence)}T01:00:00Z` },
  );

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

describe('a gateway started while PostgreSQL is down (pg)', () => {
  let server: PostgresServer;
  let pki: TestPki;
  let dirs: { dir: string; remove: () => void };
  let partner: Server;
  let served: { body: Buffer; signature: string } = { body: Buffer.alloc(0), signature: '' };
  const logLines: string[] = [];
  const logs = (): LogLine[] => logLines.map((l) => JSON.parse(l) as LogLine);
  const lookupToken = randomBytes(18).toString('base64url');
  const adminToken = randomBytes(18).toString('base64url');
  let starting: Promise<TestGateway>;
  let tg: TestGateway | undefined;
  let url = '';
  let firstDecision: unknown;

  const serve = (sequence: number): void => {
    const body = listOf(sequence);
    served = { body, signature: cmsSign(body, pki).toString('base64') };
  };
  const scheduledRuns = async (): Promise<{ sequence: number | null; outcome: string | null; reason: string | null; startedAt: string }[]> => {
    const res = await api(`${url}/v1/exchanges?partner=EU&limit=100`, adminToken);
    expect(res.status).toBe(200);
    return (res.body.exchanges as { trigger: string; sequence: number | null; outcome: string | null; reason: string | null; startedAt: string }[]).filter((e) => e.trigger === 'schedule');
  };

  beforeAll(async () => {
    server = await startPostgresServer();
    pki = makePki('EU');
    dirs = tempDir('start-outage');
    const certsDir = path.join(dirs.dir, 'certs');
    trustAnchor(certsDir, 'EU', pki);
    serve(1);
    partner = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml', 'x-aeo-signature': served.signature }).end(served.body);
    });
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
    // EU is pulled from the local server every two seconds (node-cron's seconds field).
    const partnersDir = path.join(dirs.dir, 'partners');
    cpSync(path.resolve('partners'), partnersDir, { recursive: true });
    const manifest = path.join(partnersDir, 'eu.partner.json');
    const pullUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}/eu-list.xml`;
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), pullUrl, schedule: '*/2 * * * * *' }));

    server.stop();
    // The same server with a password in the URL (trust authentication ignores it): it must not reach a log.
    const databaseUrl = server.url.replace('postgres@', `postgres:${PASSWORD}@`);
    starting = startTestGateway({
      engine: 'pg',
      databaseUrl,
      certsDir,
      logLines,
      env: { AEO_PARTNERS_DIR: partnersDir, LOG_LEVEL: 'debug' },
      extraKeys: [`lookup@outage-test:${lookupToken}`, `admin@outage-test:${adminToken}`],
    });
    starting.then((g) => (tg = g), () => undefined);
    const listening = await until('the port to open', () => logs().find((l) => l.msg === 'gateway listening'));
    url = `http://127.0.0.1:${listening.port as number}`;
  }, 60_000);

  afterAll(async () => {
    // A start still waiting (a test failed early) completes once the server is up, and is closed then.
    if (!tg && server) await server.start().catch(() => undefined);
    await (tg ?? (await starting?.catch(() => undefined)))?.close();
    await new Promise<void>((resolve) => (partner ? partner.close(() => resolve()) : resolve()));
    server?.destroy();
    dirs?.remove();
    pki?.remove();
  });

  it('stays up while it waits: /healthz 200, /readyz 503 with the database state, lookups and other routes 503 NOT_READY', async () => {
    // Two failed attempts at least: it is retrying, not stuck in its first one.
    await until('two connection attempts', () => (logs().filter((l) => l.msg === 'database unreachable at start; retrying').length >= 2 ? true : undefined));
    expect(tg).toBeUndefined();
    expect(await api(`${url}/healthz`, null)).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await api(`${url}/readyz`, null);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not-ready', database: 'unavailable', error: { code: 'NOT_READY', message: expect.stringMatching(/database is unavailable/) } });

    const single = await api(`${url}/v1/recognition/${WATCH}`, lookupToken);
    expect(single.status).toBe(503);
    expect(single.body).toEqual({ error: { code: 'NOT_READY', message: expect.any(String) } });
    expect(Number(single.headers.get('retry-after'))).toBeGreaterThan(0);
    const batch = await api(`${url}/v1/recognition/batch`, lookupToken, { body: { codes: [WATCH] } });
    expect(batch).toMatchObject({ status: 503, body: { error: { code: 'NOT_READY' } } });
    expect(await api(`${url}/v1/exchanges`, adminToken)).toMatchObject({ status: 503, body: { error: { code: 'NOT_READY' } } });
    const push = await api(`${url}/exchange/v1/inbound/EU`, null, { raw: listOf(1), headers: { 'content-type': 'application/xml' } });
    expect(push).toMatchObject({ status: 503, body: { error: { code: 'NOT_READY' } } });
  });

  it('logs each attempt with backoff, the reason as a code and the server without credentials', () => {
    const attempts = logs().filter((l) => l.msg === 'database unreachable at start; retrying');
    expect(attempts[0]).toMatchObject({ level: 40, attempt: 1, reason: 'ECONNREFUSED', database: expect.stringMatching(/^127\.0\.0\.1:\d+\/postgres$/) });
    expect(attempts[1]!.attempt).toBe(2);
    // Doubling (±20 % jitter): the second wait is longer than the first.
    expect(attempts[1]!.retryInMs as number).toBeGreaterThan(attempts[0]!.retryInMs as number);
    expect(logLines.join('\n')).not.toContain(PASSWORD);
    expect(logs().some((l) => l.msg === 'gateway ready')).toBe(false);
  });

  it('completes its start by itself once the server is back: migrations, index, ready, and the schedule pulls', async () => {
    await server.start();
    tg = await starting;
    const ready = await api(`${url}/readyz`, null);
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', database: 'up' } });
    expect(logs().some((l) => l.msg === 'database reachable; start-up completed')).toBe(true);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const applied = (await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
      expect(applied).toEqual(readdirSync(path.resolve('migrations')).filter((f) => f.endsWith('.sql')).sort());
    } finally {
      await client.end();
    }
    // The two-second schedule was started with the rest: it pulls sequence 1 and applies it.
    await until('a scheduled run to apply sequence 1', async () => ((await scheduledRuns()).some((r) => r.sequence === 1 && r.outcome === 'APPLIED') ? true : undefined));
    // The run record commits with the list; the index takes it in right after (its refresh follows the commit).
    const res = await until('the lookup to answer from sequence 1', async () => {
      const r = await api(`${url}/v1/recognition/${WATCH}`, lookupToken);
      return r.body.provenance?.sequence === 1 ? r : undefined;
    }, 5_000);
    expect(res).toMatchObject({ status: 200, body: { partner: 'EU', operator: { status: 'VALID' }, provenance: { sequence: 1 } } });
    firstDecision = res.body.decision;
  });

  it('resumes its schedule after an outage of the running process: ticks during it do not apply, the next one after it does', async () => {
    const before = logLines.length;
    server.stop();
    const stoppedAt = Date.now();
    serve(2); // what the partner offers from now on
    // Several ticks fall into the outage; each fails (the lock or the run needs the database) or is skipped, logged.
    await until('a scheduled tick to fail during the outage', () =>
      logLines.slice(before).some((l) => l.includes('"scheduled run failed"') && l.includes('DATABASE_UNAVAILABLE')) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 2_500));
    // Lookups go on from the index meanwhile: still the answer of sequence 1.
    expect(await api(`${url}/v1/recognition/${WATCH}`, lookupToken)).toMatchObject({ status: 200, body: { decision: firstDecision, provenance: { sequence: 1 } } });
    await server.start();
    const restartedAt = Date.now();

    const applied = await until('a scheduled run to apply sequence 2 after the outage', async () => {
      const runs = await scheduledRuns();
      return runs.find((r) => r.sequence === 2 && r.outcome === 'APPLIED');
    });
    expect(Date.parse(applied.startedAt)).toBeGreaterThanOrEqual(restartedAt - 1_000);
    // A run recorded from the outage, if any, ended FAILED / DATABASE_UNAVAILABLE: nothing half-applied.
    const duringOutage = (await scheduledRuns()).filter((r) => Date.parse(r.startedAt) >= stoppedAt && Date.parse(r.startedAt) < restartedAt - 1_000);
    for (const run of duringOutage) expect(run).toMatchObject({ outcome: 'FAILED', reason: 'DATABASE_UNAVAILABLE' });
    await until('the index to serve sequence 2', async () => {
      const res = await api(`${url}/v1/recognition/${WATCH}`, lookupToken);
      return res.body?.decision === 'SUSPENDED' ? true : undefined;
    });
    // Later ticks find nothing new.
    await until('a NO_CHANGE tick', async () => ((await scheduledRuns()).some((r) => r.sequence === 2 && r.outcome === 'NO_CHANGE') ? true : undefined));
  });

  it('waits only for an unreachable server: a database that does not exist on a reachable one stops the start at once', async () => {
    const startedAt = Date.now();
    const lines: string[] = [];
    await expect(
      startTestGateway({ engine: 'pg', databaseUrl: server.url.replace(/\/postgres$/, '/no_such_database'), certsDir: path.join(dirs.dir, 'certs'), logLines: lines }),
    ).rejects.toMatchObject({ code: '3D000' });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(lines.some((l) => l.includes('database unreachable at start'))).toBe(false);
  });
});
