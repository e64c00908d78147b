// One log line per request, written when the response finishes: method, path (no query: it may hold
// codes), status and duration. Never headers or bodies. Lookups (unless 5xx) and health probes log at
// debug: they are the hot path, and a clearance system makes millions of them. The line names the
// request (`requestId`) and who called (`actor`, the token's name; `scope`).
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const HEALTH = new Set(['/healthz', '/readyz']);
const LOOKUP_PREFIX = '/v1/recognition';

/** Health probes always at debug (a 503 during start-up is expected); lookups at debug unless 5xx. */
function levelOf(path: string, status: number): 'debug' | 'info' | 'warn' | 'error' {
  if (HEALTH.has(path)) return 'debug';
  if (status >= 500) return 'error';
  if (path.startsWith(LOOKUP_PREFIX)) return 'debug';
  return status >= 400 ? 'warn' : 'info';
}

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // 'finish' may fire outside the request's async context: keep its id now.
    const requestId = req.requestId;
    res.once('finish', () => {
      const status = res.statusCode;
      const path = req.path;
      const level = levelOf(path, status);
      if (!logger.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger[level]({ method: req.method, path: path.length > 200 ? `${path.slice(0, 200)}…` : path, status, ms: Math.round(ms * 10) / 10, requestId, actor: req.principal?.name, scope: req.principal?.scope }, 'request');
    });
    next();
  };
}
