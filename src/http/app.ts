// The express application: routes per area, auth per route, one error mapper. No listening here.
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { errorHandler, notFoundHandler } from './error-handler.js';

export type RouteInstaller = (router: express.Router) => void;

export function createApp(logger: Logger, installers: readonly RouteInstaller[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger,
      // Lookups are the hot path: successful ones log at debug; failures always log.
      customLogLevel: (req, res, err) => {
        if (err || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'warn';
        return req.url?.startsWith('/v1/recognition') || req.url === '/healthz' ? 'debug' : 'info';
      },
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url?.split('?')[0] }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      redact: ['req.headers.authorization', 'req.headers["x-aeo-signature"]'],
    }),
  );
  const router = express.Router();
  for (const install of installers) install(router);
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
