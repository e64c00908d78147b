import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiKeys } from '../config.js';
import { createApp } from './app.js';
import { ACCESS, Authenticator, unnamedActor } from './auth.js';

const keys = (raw: string) => {
  const problems: string[] = [];
  const parsed = parseApiKeys(raw, problems);
  expect(problems).toEqual([]);
  return parsed;
};

describe('Authenticator', () => {
  const auth = new Authenticator(
    keys('admin@wang.li:admin-token-0123456789,lookup:lookup-token-0123456789,partner-EU:eu-token-0123456789abc,viewer@ops-night:shared-token-0123456789,operator:shared-token-0123456789'),
  );

  it('identifies each token by its name and configured scopes', () => {
    expect(auth.identify('admin-token-0123456789')).toMatchObject({ name: 'wang.li', scopes: ['admin'] });
    expect(auth.identify('eu-token-0123456789abc')?.scopes).toEqual(['partner-EU']);
    // One token, two scopes, one name (given by one of its entries).
    expect(auth.identify('shared-token-0123456789')).toMatchObject({ name: 'ops-night', scopes: ['viewer', 'operator'] });
  });

  it('names a token without a name <scope>#<first 8 hex of its SHA-256>', () => {
    const hex = createHash('sha256').update('lookup-token-0123456789').digest('hex').slice(0, 8);
    expect(auth.identify('lookup-token-0123456789')?.name).toBe(`lookup#${hex}`);
    expect(unnamedActor('partner-EU', 'lookup-token-0123456789')).toBe(`partner-EU#${hex}`);
  });

  it('refuses near misses, prefixes and empty tokens', () => {
    for (const t of ['', 'admin-token-012345678', 'admin-token-01234567890', 'ADMIN-TOKEN-0123456789', 'lookup-token-0123456789 ']) {
      expect(auth.identify(t)).toBeNull();
    }
  });
});

describe('requireScopes over real HTTP (the helper other routes use, e.g. GET /metrics)', () => {
  const auth = new Authenticator(keys('metrics:metrics-token-0123456789,admin:admin-token-0123456789,viewer:viewer-token-0123456789'));
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = createApp(pino({ level: 'silent' }), [(r) => r.get('/metrics', auth.requireScopes(...ACCESS.metrics), (_req, res) => void res.type('text/plain').send('ok'))]);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('lets metrics and admin in, refuses others with 403 and no token with 401', async () => {
    const status = async (token: string | null) =>
      (await fetch(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } })).status;
    expect(await status('metrics-token-0123456789')).toBe(200);
    expect(await status('admin-token-0123456789')).toBe(200);
    expect(await status('viewer-token-0123456789')).toBe(403);
    expect(await status(null)).toBe(401);
    expect(await status('metrics-token-012345678X')).toBe(401);
  });
});
