// /readyz (contract 10): 200 with the database state once the index is loaded, whatever the
// database does; 503 NOT_READY, with the database state, while the index was never loaded. The
// probe answers are set per case; the route, the app and the HTTP server are the real ones.
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { healthRoutes, type DatabaseState } from '../../src/http/routes/health.js';
import { createHttpServer } from '../../src/http/server.js';
import { api } from '../support/gateway.js';

describe('/readyz', () => {
  const state = { loaded: false, database: 'up' as DatabaseState | 'throws' };
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const app = createApp(pino({ level: 'silent' }), [
      (r) =>
        healthRoutes(r, {
          indexLoaded: () => state.loaded,
          database: () => (state.database === 'throws' ? Promise.reject(new Error('down')) : Promise.resolve(state.database)),
        }),
    ]);
    const server = createHttpServer(app, { requestTimeoutMs: 5_000 }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((r) => server.close(() => r()));
  });

  afterAll(() => close());

  it('answers 503 NOT_READY while the index was never loaded, even with the database up, with the database state', async () => {
    const res = await api(`${url}/readyz`, null);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'not-ready', database: 'up', error: { code: 'NOT_READY', message: 'The lookup index is not loaded yet.' } });
    state.database = 'unavailable';
    expect(await api(`${url}/readyz`, null)).toMatchObject({ status: 503, body: { status: 'not-ready', database: 'unavailable', error: { code: 'NOT_READY', message: expect.stringMatching(/database is unavailable/) } } });
    state.database = 'up';
  });

  it('answers 200 with the database state once the index is loaded', async () => {
    state.loaded = true;
    expect((await api(`${url}/readyz`, null)).body).toEqual({ status: 'ready', database: 'up' });
    state.database = 'unavailable';
    expect(await api(`${url}/readyz`, null)).toMatchObject({ status: 200, body: { status: 'ready', database: 'unavailable' } });
    state.database = 'throws';
    expect(await api(`${url}/readyz`, null)).toMatchObject({ status: 200, body: { status: 'ready', database: 'unavailable' } });
  });
});
