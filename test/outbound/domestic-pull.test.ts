// The register pulled from AEO_DOMESTIC_URL on AEO_DOMESTIC_SCHEDULE (contract 9.1): a real gateway on
// both engines, its schedule firing every second, against a local HTTP server the test scripts — a
// good JSON list, a CSV one, a 500 (retried, then FAILED), a body over AEO_DOMESTIC_MAX_BYTES. A pull
// writes no audit row (it is no admin action).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Enterprise } from '../../src/domestic/types.js';
import { sandboxRegister } from '../../src/sandbox/domestic.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';

const REGISTER = sandboxRegister(30);
const MAX_BYTES = 100_000;
const CSV_FIELDS = ['customsCode', 'uscc', 'nameZh', 'nameEn', 'addressZh', 'addressEn', 'level', 'status', 'statusSince', 'levelSince', 'rectificationUntil', 'registeringCustoms'] as const;
const toCsv = (rows: readonly Enterprise[]): string =>
  [CSV_FIELDS.join(','), ...rows.map((e) => CSV_FIELDS.map((f) => `"${String(e[f] ?? '').replace(/"/g, '""')}"`).join(','))].join('\r\n') + '\r\n';

interface PullRow {
  id: string;
  outcome: string | null;
  reason: string | null;
  counts: { added: number; changed: number } | null;
  problems: { message: string }[];
}

describe.each(ENGINES)('domestic register pull (%s)', (engine) => {
  let tg: TestGateway;
  let server: Server;
  const accepts: string[] = [];
  let respond: (res: ServerResponse) => void = () => undefined;

  const pulls = async (): Promise<PullRow[]> =>
    tg.gateway.db.query<PullRow & Record<string, unknown>>(
      `SELECT id::text AS id, outcome, reason, counts, problems FROM domestic_imports WHERE trigger = 'pull' AND actor = 'domestic-pull' ORDER BY started_at`,
    );
  /** Waits for a pull import that `match` accepts (the schedule fires every second). */
  const pullWhere = async (match: (r: PullRow) => boolean, ms = 30_000): Promise<PullRow> => {
    const until = Date.now() + ms;
    for (;;) {
      const found = (await pulls()).find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no such pull import: ${JSON.stringify(await pulls())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const total = async (): Promise<number> => (await api(`${tg.url}/admin/domestic/enterprises`, tg.keys.admin)).body.total;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      accepts.push(String(req.headers.accept));
      respond(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    respond = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'FULL', enterprises: REGISTER }));
    tg = await startTestGateway({
      engine,
      env: { AEO_DOMESTIC_URL: `http://127.0.0.1:${port}/register`, AEO_DOMESTIC_SCHEDULE: '* * * * * *', AEO_DOMESTIC_MAX_BYTES: String(MAX_BYTES) },
    });
  }, 60_000);
  afterAll(async () => {
    await tg?.close();
    await new Promise((r) => server?.close(r));
  });

  it('pulls a good JSON list on the schedule and applies it as an import with trigger pull', async () => {
    const applied = await pullWhere((r) => r.outcome === 'APPLIED');
    expect(applied.counts).toMatchObject({ added: 30 });
    expect(await total()).toBe(30);
    const run = await api(`${tg.url}/admin/domestic/imports/${applied.id}`, tg.keys.admin);
    expect(run.body).toMatchObject({ trigger: 'pull', kind: 'FULL', outcome: 'APPLIED' });
    expect(accepts[0]).toBe('text/csv, application/json');
    // the next pulls of the same list change nothing
    await pullWhere((r) => r.outcome === 'NO_CHANGE');
    // A scheduled pull is no admin action: no audit row.
    expect((await api(`${tg.url}/admin/audit?action=domestic.import`, tg.keys.viewer)).body.entries).toEqual([]);
  });

  it('takes a CSV register as a FULL', async () => {
    const renamed = REGISTER.map((e, i) => (i === 0 ? { ...e, nameZh: `${e.nameZh}（更名）` } : e));
    respond = (res) => res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(toCsv(renamed));
    const applied = await pullWhere((r) => r.outcome === 'APPLIED' && r.counts?.changed === 1);
    expect(applied.counts).toMatchObject({ added: 0, changed: 1 });
    const one = await api(`${tg.url}/admin/domestic/enterprises/${REGISTER[0]!.aeoCode}`, tg.keys.admin);
    expect(one.body.nameZh).toBe(`${REGISTER[0]!.nameZh}（更名）`);
  });

  it('a 500 is retried, then the pull is recorded FAILED and the register is unchanged', async () => {
    const before = accepts.length;
    respond = (res) => res.writeHead(500).end('down');
    const failed = await pullWhere((r) => r.outcome === 'FAILED' && r.reason === 'FETCH_FAILED');
    expect(failed.problems[0]!.message).toMatch(/HTTP 500, after retries/);
    // one request and three retries for that pull
    expect(accepts.length - before).toBeGreaterThanOrEqual(4);
    expect(await total()).toBe(30);
  }, 60_000);

  it(`a body over AEO_DOMESTIC_MAX_BYTES (${MAX_BYTES}) is cut off and recorded FAILED TOO_LARGE`, async () => {
    const big = JSON.stringify({ kind: 'FULL', enterprises: sandboxRegister(600) });
    expect(big.length).toBeGreaterThan(MAX_BYTES);
    respond = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(big);
    const failed = await pullWhere((r) => r.reason === 'TOO_LARGE');
    expect(failed).toMatchObject({ outcome: 'FAILED', counts: null });
    expect(failed.problems[0]!.message).toMatch(/larger than the limit of 100000 bytes/);
    expect(await total()).toBe(30);
  }, 60_000);
});
