// Per-token rate limits (contract 8) over real HTTP: 429 with Retry-After and the error body for the
// token over its limit; another token of the same scope is neither refused nor slowed meanwhile.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';

const LIMIT = 30;

describe('rate limits per token (pglite)', () => {
  let tg: TestGateway;
  const flooder = randomBytes(18).toString('base64url');
  const quiet = randomBytes(18).toString('base64url');

  beforeAll(async () => {
    tg = await startTestGateway({
      engine: 'pglite',
      env: {
        AEO_RATE_LIMITS: `lookup=${LIMIT}/min,partner=60/min`,
        AEO_API_KEYS: `admin:${randomBytes(18).toString('base64url')},lookup:${flooder},lookup:${quiet}`,
      },
    });
  });

  afterAll(async () => {
    await tg?.close();
  });

  const lookupWith = (token: string) => api(`${tg.url}/v1/recognition/US1234567`, token);

  it('answers 429 with Retry-After and the error body once a token is over its limit', async () => {
    const answers = await Promise.all(Array.from({ length: LIMIT + 20 }, () => lookupWith(flooder)));
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok).toHaveLength(LIMIT);
    expect(limited).toHaveLength(20);
    expect(limited[0]!.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    // one request per 2 s is earned back
    const retryAfter = Number(limited[0]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
  });

  it('lets another token of the same scope through at full speed while the first keeps flooding', async () => {
    let flooding = true;
    const flood = (async () => {
      const seen = { ok: 0, limited: 0 };
      while (flooding) {
        for (const a of await Promise.all(Array.from({ length: 20 }, () => lookupWith(flooder)))) {
          if (a.status === 200) seen.ok++;
          else if (a.status === 429) seen.limited++;
        }
      }
      return seen;
    })();
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < LIMIT; i++) statuses.push((await lookupWith(quiet)).status);
    const elapsed = Date.now() - started;
    flooding = false;
    const seen = await flood;
    expect(statuses).toEqual(Array.from({ length: LIMIT }, () => 200));
    expect(elapsed).toBeLessThan(10_000);
    // the flooder only got what it earned back meanwhile: one request per 2 s
    expect(seen.limited).toBeGreaterThan(40);
    expect(seen.ok).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 2_000) + 1);
  });

  it('does not limit scopes the setting leaves out', async () => {
    const admin = tg.env.AEO_API_KEYS!.split(',')[0]!.slice('admin:'.length);
    const answers = await Promise.all(Array.from({ length: 100 }, () => api(`${tg.url}/v1/partners`, admin)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});
