// Contract section 2 over real HTTP, on both engines: every scope against every kind of route
// (401 without a valid token, 403 with a wrong scope, the route's own answer otherwise), and whoami.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';

type Caller = 'none' | 'unknown' | 'lookup' | 'viewer' | 'operator' | 'admin' | 'metrics' | 'partner-EU';
const CALLERS: Caller[] = ['none', 'unknown', 'lookup', 'viewer', 'operator', 'admin', 'metrics', 'partner-EU'];

interface RouteCase {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Scopes the route accepts, and the status it answers them (its own result for this request). */
  allowed: Caller[];
  ok: number;
}

const UNKNOWN_RUN = '00000000-0000-4000-8000-000000000000';
const ROUTES: RouteCase[] = [
  { name: 'lookup', method: 'GET', path: '/v1/recognition/DE123456789012345', allowed: ['lookup', 'viewer', 'operator', 'admin'], ok: 200 },
  { name: 'batch lookup', method: 'POST', path: '/v1/recognition/batch', body: { codes: ['US1234567'] }, allowed: ['lookup', 'viewer', 'operator', 'admin'], ok: 200 },
  { name: 'registry read', method: 'GET', path: '/v1/agreements/CN-EU', allowed: ['lookup', 'viewer', 'operator', 'admin'], ok: 200 },
  { name: 'partners', method: 'GET', path: '/v1/partners', allowed: ['viewer', 'operator', 'admin'], ok: 200 },
  { name: 'runs', method: 'GET', path: '/v1/exchanges?limit=5', allowed: ['viewer', 'operator', 'admin'], ok: 200 },
  { name: 'audit log', method: 'GET', path: '/admin/audit', allowed: ['viewer', 'operator', 'admin'], ok: 200 },
  { name: 'revisions', method: 'GET', path: '/admin/agreements/CN-EU/revisions', allowed: ['viewer', 'operator', 'admin'], ok: 200 },
  { name: 'sync now', method: 'POST', path: '/admin/partners/MO/sync', allowed: ['operator', 'admin'], ok: 200 },
  { name: 'approve', method: 'POST', path: `/admin/exchanges/${UNKNOWN_RUN}/approve`, allowed: ['operator', 'admin'], ok: 404 },
  { name: 'reject', method: 'POST', path: `/admin/exchanges/${UNKNOWN_RUN}/reject`, allowed: ['operator', 'admin'], ok: 404 },
  { name: 'registry edit', method: 'PUT', path: '/admin/agreements/CN-XK', body: { id: 'CN-XK' }, allowed: ['admin'], ok: 400 },
  {
    name: 'push',
    method: 'POST',
    path: '/exchange/v1/inbound/EU',
    raw: 'not a list',
    headers: { 'content-type': 'application/xml' },
    allowed: ['partner-EU', 'admin'],
    ok: 422,
  },
  { name: 'whoami', method: 'GET', path: '/admin/whoami', allowed: ['lookup', 'viewer', 'operator', 'admin', 'metrics', 'partner-EU'], ok: 200 },
  { name: 'openapi', method: 'GET', path: '/openapi.json', allowed: ['lookup', 'viewer', 'operator', 'admin', 'metrics', 'partner-EU'], ok: 200 },
];

describe.each(ENGINES)('auth matrix on %s', (engine) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ engine, sandbox: true, syncOnStart: false });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const tokenOf = (caller: Caller): string | null => {
    if (caller === 'none') return null;
    if (caller === 'unknown') return 'not-a-configured-token-123';
    if (caller === 'partner-EU') return gw.keys.partner.EU!;
    return gw.keys[caller];
  };

  it.each(ROUTES)('$method $path ($name): each scope gets 401, 403 or the route’s answer', async (route) => {
    const seen: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const caller of CALLERS) {
      const res = await api(`${gw.url}${route.path}`, tokenOf(caller), { method: route.method, body: route.body, raw: route.raw, headers: route.headers });
      seen[caller] = res.status;
      expected[caller] = caller === 'none' || caller === 'unknown' ? 401 : route.allowed.includes(caller) ? route.ok : 403;
      if (res.status === 401 || res.status === 403) {
        expect(res.body.error.code).toBe(res.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      }
    }
    expect(seen).toEqual(expected);
  });

  it('whoami answers the token’s name and configured scopes; unnamed tokens are <scope>#<hash>', async () => {
    expect((await api(`${gw.url}/admin/whoami`, gw.keys.admin)).body).toEqual({ name: 'test.admin', scopes: ['admin'] });
    expect((await api(`${gw.url}/admin/whoami`, gw.keys.operator)).body).toEqual({ name: 'ops-night', scopes: ['operator'] });
    const viewer = await api(`${gw.url}/admin/whoami`, gw.keys.viewer);
    expect(viewer.body.scopes).toEqual(['viewer']);
    expect(viewer.body.name).toMatch(/^viewer#[0-9a-f]{8}$/);
    expect((await api(`${gw.url}/admin/whoami`, gw.keys.partner.EU!)).body.name).toMatch(/^partner-EU#[0-9a-f]{8}$/);
    expect((await api(`${gw.url}/admin/whoami`, null)).status).toBe(401);
  });
});

describe('a token with several scopes', () => {
  let gw: TestGateway;
  const shared = 'shared-viewer-and-lookup-token';
  beforeAll(async () => {
    gw = await startTestGateway({ engine: 'pglite', env: { AEO_API_KEYS: `viewer@night.desk:${shared},partner-MO:${shared},admin:admin-token-0123456789` } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('may do what any of its scopes may, and whoami lists them as configured', async () => {
    expect((await api(`${gw.url}/admin/whoami`, shared)).body).toEqual({ name: 'night.desk', scopes: ['viewer', 'partner-MO'] });
    expect((await api(`${gw.url}/v1/partners`, shared)).status).toBe(200);
    const push = await api(`${gw.url}/exchange/v1/inbound/MO`, shared, { raw: '{}', headers: { 'content-type': 'application/json' } });
    expect(push.status).toBe(422);
    expect((await api(`${gw.url}/exchange/v1/inbound/EU`, shared, { raw: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(403);
    expect((await api(`${gw.url}/admin/partners/MO/sync`, shared, { method: 'POST' })).status).toBe(403);
  });
});
