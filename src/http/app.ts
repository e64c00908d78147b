// The express application: routes per area, auth per route, one error mapper. No listening here.
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { requestId } from './request-id.js';
import { requestLog } from './request-log.js';

export type RouteInstaller = (router: express.Router) => void;

/** `observers` run on every request before the routes (the metrics' request timer). */
export function createApp(logger: Logger, installers: readonly RouteInstaller[], observers: readonly RequestHandler[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestId());
  app.use(requestLog(logger));
  for (const observe of observers) app.use(observe);
  const router = express.Router();
  for (const install of installers) install(router);
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
