// One log line per request, written when the response finishes: method, path (no query: it may hold
// codes), status and duration. Never headers or bodies. Successful lookups and health checks log at
// debug, because they are the hot path and a clearance system makes millions of them.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const QUIET_PREFIXES = ['/v1/recognition', '/healthz', '/readyz'];

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const status = res.statusCode;
      const path = req.path;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : QUIET_PREFIXES.some((p) => path.startsWith(p)) ? 'debug' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger[level]({ method: req.method, path: path.length > 200 ? `${path.slice(0, 200)}…` : path, status, ms: Math.round(ms * 10) / 10, scope: req.principal?.scope }, 'request');
    });
    next();
  };
}
