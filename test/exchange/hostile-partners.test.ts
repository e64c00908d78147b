// Hostile partners (issue 11), played by real local HTTP servers: a body that trickles a byte a
// second, a body that never ends, an endless body without Content-Length, a gzip bomb. Each pull
// ends FAILED TIMEOUT or TOO_LARGE within the configured bounds, having read at most about
// maxBytes, and nothing is applied; a well-behaved gzip answer still applies. (got counts the
// decompressed bytes against the limit, so a bomb is cut off at maxBytes while it inflates.)
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerSync } from '../../src/exchange/sync.js';
import type { ExchangeRun } from '../../src/exchange/types.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, euList, euOperators, expectErrorBody, isoDay, makePki, partnerView, tempDir, testSync, trustAnchor, type TestPki } from './helpers.js';

const TIMEOUT_MS = 1_500;
const RETRIES = 1;
const MAX_BYTES = 64 * 1024 * 1024; // the EU manifest's limit (the default)
const OPS = euOperators(6);
const list1 = euList(1, OPS, { generatedAt: `${isoDay(-2)}T01:00:00Z` });

interface Partner {
  url: string;
  /** Bytes the endless route managed to write before the gateway hung up. */
  endlessSent: () => number;
  close: () => Promise<void>;
}

/** One local server, one route per kind of hostility. */
async function hostilePartner(pki: TestPki): Promise<Partner> {
  const signature = cmsSign(list1, pki).toString('base64');
  // 64 gzip members of 16 MiB of zeros each: ~1 MB on the wire, 1 GiB once inflated.
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024));
  const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
  const timers = new Set<NodeJS.Timeout>();
  let endless = 0;
  const head = (res: ServerResponse, extra: Record<string, string> = {}): void => {
    res.writeHead(200, { 'content-type': 'application/xml', 'x-aeo-signature': signature, ...extra });
  };
  const server: Server = createServer((req, res) => {
    switch (req.url) {
      case '/trickle': {
        head(res);
        let i = 0;
        const t = setInterval(() => (i < list1.length ? res.write(list1.subarray(i, ++i)) : res.end()), 1_000);
        timers.add(t);
        res.on('close', () => clearInterval(t));
        return;
      }
      case '/never-ends':
        head(res, { 'content-length': String(list1.length) });
        res.write(list1.subarray(0, list1.length - 10)); // and nothing more, ever
        return;
      case '/endless': {
        head(res); // chunked: no Content-Length
        const chunk = Buffer.alloc(256 * 1024, 0x20);
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk)) endless += chunk.length;
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case '/bomb':
        head(res, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        res.end(bomb);
        return;
      case '/gzip': {
        const body = gzipSync(list1);
        head(res, { 'content-encoding': 'gzip', 'content-length': String(body.length) });
        res.end(body);
        return;
      }
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    endlessSent: () => endless,
    close: async () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let pki: TestPki;
let partner: Partner;

beforeAll(async () => {
  pki = makePki('EU');
  partner = await hostilePartner(pki);
});

afterAll(async () => {
  await partner?.close();
  pki?.remove();
});

describe.each(ENGINES)('pulling from a hostile partner (%s)', (engine) => {
  let tg: TestGateway;
  let certs: { dir: string; remove: () => void };
  let route = '/trickle';
  let sync: PartnerSync;

  const pull = async (path: string): Promise<{ run: ExchangeRun; ms: number }> => {
    route = path;
    const started = Date.now();
    const run = await sync.sync('EU', 'manual');
    expect(run).not.toBeNull();
    return { run: run!, ms: Date.now() - started };
  };

  const expectNothingApplied = async (run: ExchangeRun, reason: 'TIMEOUT' | 'TOO_LARGE'): Promise<void> => {
    expect({ outcome: run.outcome, reason: run.reason, payloadSha256: run.payloadSha256 }, JSON.stringify(run)).toEqual({
      // a list over the limit is a bad list (REJECTED); a partner too slow is a failure (FAILED, retried)
      outcome: reason === 'TOO_LARGE' ? 'REJECTED' : 'FAILED',
      reason,
      payloadSha256: null,
    });
    expect(await partnerView(tg, 'EU')).toMatchObject({ lastSequence: null, operatorCount: 0 });
  };

  beforeAll(async () => {
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', pki);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
    sync = testSync(tg, () => `${partner.url}${route}`, { timeoutMs: TIMEOUT_MS, retries: RETRIES, backoffMs: 10 });
  });

  afterAll(async () => {
    await tg?.close();
    certs?.remove();
  });

  // Bound: each attempt is cut at the timeout; 1 + RETRIES attempts, plus a little backoff.
  const bound = TIMEOUT_MS * (1 + RETRIES) + 2_000;

  it('a body trickling a byte a second ends FAILED TIMEOUT within the bound', async () => {
    const { run, ms } = await pull('/trickle');
    await expectNothingApplied(run, 'TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(ms).toBeLessThan(bound);
  });

  it('a body that never ends ends FAILED TIMEOUT within the bound', async () => {
    const { run, ms } = await pull('/never-ends');
    await expectNothingApplied(run, 'TIMEOUT');
    expect(ms).toBeLessThan(bound);
  });

  it('an endless body without Content-Length ends TOO_LARGE after about maxBytes were read', async () => {
    const sentBefore = partner.endlessSent();
    const { run } = await pull('/endless');
    await expectNothingApplied(run, 'TOO_LARGE');
    // what the partner got onto the wire: the limit plus socket buffers, not without end
    expect(partner.endlessSent() - sentBefore).toBeLessThan(MAX_BYTES + 16 * 1024 * 1024);
  });

  it('a gzip bomb is refused by its size after decompression (TOO_LARGE), memory bounded', async () => {
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const { run, ms } = await pull('/bomb').finally(() => clearInterval(sampler));
    await expectNothingApplied(run, 'TOO_LARGE');
    expect(ms).toBeLessThan(bound);
    // inflating it all would take a GiB; the bound stops at maxBytes
    expect(peak - base).toBeLessThan(512 * 1024 * 1024);
  });

  it('a gzip-compressed list that fits is decompressed and applied', async () => {
    const { run } = await pull('/gzip');
    expect(run).toMatchObject({ outcome: 'APPLIED', sequence: 1, counts: { added: OPS.length } });
  });

  it('a compressed push is refused with 415 (pushes take identity bodies only)', async () => {
    const res = await api(`${tg.url}/exchange/v1/inbound/EU`, tg.keys.partner.EU!, {
      method: 'POST',
      raw: gzipSync(list1),
      headers: { 'content-type': 'application/xml', 'content-encoding': 'gzip', 'x-aeo-signature': cmsSign(list1, pki).toString('base64') },
    });
    expectErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});
