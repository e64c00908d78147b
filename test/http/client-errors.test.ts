// Contract 10: request headers up to 64 KiB are accepted, larger ones get 431 with the error body;
// malformed requests (request line, chunking) get a JSON 400; a push whose body trickles is cut off
// by the request timeout (408). Raw sockets, because fetch will not send broken HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { rawExchange } from '../support/raw-http.js';

const errorOf = (code: string) => ({ error: { code, message: expect.any(String) } });

describe('HTTP client errors (pglite)', () => {
  let tg: TestGateway;

  beforeAll(async () => {
    tg = await startTestGateway({ engine: 'pglite', env: { AEO_REQUEST_TIMEOUT_SECONDS: '2' } });
  });

  afterAll(async () => {
    await tg?.close();
  });

  const get = (headers: string): Promise<Awaited<ReturnType<typeof rawExchange>>> =>
    rawExchange(tg.url, (s) => s.write(`GET /v1/partners HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${tg.keys.admin}\r\n${headers}Connection: close\r\n\r\n`));

  it('accepts a request whose headers add up to almost 64 KiB (a long signature header)', async () => {
    const answer = await get(`X-AEO-Signature: ${'A'.repeat(64 * 1024 - 400)}\r\n`);
    expect(answer.status, answer.text.slice(0, 200)).toBe(200);
    expect(answer.body).toMatchObject({ partners: expect.any(Array) });
    // The same through fetch, split over several headers.
    const viaFetch = await api(`${tg.url}/v1/partners`, tg.keys.admin, {
      headers: { 'x-one': 'b'.repeat(30_000), 'x-two': 'c'.repeat(30_000) },
    });
    expect(viaFetch.status).toBe(200);
  });

  it('answers larger headers with 431 and the error body, not a bare reset', async () => {
    const answer = await get(`X-AEO-Signature: ${'A'.repeat(80 * 1024)}\r\n`);
    expect(answer.status, answer.text.slice(0, 200)).toBe(431);
    expect(answer.body).toEqual(errorOf('HEADERS_TOO_LARGE'));
    expect(answer.closed).toBe(true);
  });

  it('answers a malformed request line with a JSON 400', async () => {
    const answer = await rawExchange(tg.url, (s) => s.write('GET /v1/partners HTTP/9 nonsense\r\n\r\n'));
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body).toEqual(errorOf('BAD_REQUEST'));
  });

  it('answers bad chunking with a JSON 400, and the gateway keeps serving', async () => {
    const answer = await rawExchange(tg.url, (s) =>
      s.write(
        `POST /exchange/v1/inbound/EU HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${tg.keys.partner.EU}\r\n` +
          'Content-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\nzz-not-hex\r\nabc\r\n',
      ),
    );
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body).toEqual(errorOf('BAD_REQUEST'));
    expect((await api(`${tg.url}/healthz`, null)).status).toBe(200);
  });

  it('cuts off a push whose body trickles, with 408, and records no run', async () => {
    const before = await api(`${tg.url}/v1/exchanges?partner=EU`, tg.keys.admin);
    let timer: NodeJS.Timeout | undefined;
    const answer = await rawExchange(
      tg.url,
      (s) => {
        s.write(
          `POST /exchange/v1/inbound/EU HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${tg.keys.partner.EU}\r\n` +
            'Content-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<',
        );
        // a byte a second, never finishing
        timer = setInterval(() => s.writable && s.write('a'), 1_000);
      },
      15_000,
    );
    clearInterval(timer);
    expect(answer.closed).toBe(true);
    expect(answer.status, answer.text).toBe(408);
    expect(answer.body).toEqual(errorOf('REQUEST_TIMEOUT'));
    // the bound is 2 s, checked every second
    expect(answer.elapsedMs).toBeLessThan(6_000);
    const after = await api(`${tg.url}/v1/exchanges?partner=EU`, tg.keys.admin);
    expect(after.body.exchanges).toEqual(before.body.exchanges);
  });
});
