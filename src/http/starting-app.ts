// What the HTTP port answers before the services are up (a start waiting for the database, or still
// loading): /healthz 200, /readyz 503 with the database state, every other route 503 NOT_READY with
// Retry-After. Nothing here touches the database, so nothing here can answer wrongly.
import type { Express } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { createApp } from './app.js';
import { healthRoutes, type DatabaseState } from './routes/health.js';

export function startingApp(logger: Logger, database: () => DatabaseState): Express {
  return createApp(logger, [
    (r) => healthRoutes(r, { indexLoaded: () => false, database: () => Promise.resolve(database()) }),
    (r) =>
      r.use((_req, _res, next) => {
        const why = database() === 'unavailable' ? 'the database is unavailable and the gateway keeps trying to connect' : 'its start-up is not complete';
        next(new AppError('NOT_READY', `The gateway is not ready: ${why}.`));
      }),
  ]);
}
