// Admin routes and the audit log: the acting principal, the note, and the rows for refused and
// failed actions. A DONE row is written by the service, in the transaction of its change.
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { recordAlone, type ActedBy, type Actor, type AuditAction } from '../audit/audit-log.js';
import { isAppError } from '../errors.js';
import { currentRequestId } from '../request-context.js';
import type { Db } from '../store/db.js';
import { fromExpress } from './error-handler.js';

export const NOTE_HEADER = 'x-aeo-note';

/** The caller as the audit log names it; `anonymous` before a token was recognised. */
export function actorOf(req: Request): Actor {
  return { name: req.principal?.name ?? 'anonymous', scopes: req.principal?.scopes ?? [], requestId: req.requestId ?? currentRequestId() };
}

/** The body's `note` when the body is our own JSON object, else the `X-AEO-Note` header. */
export function noteOf(req: Request): string | null {
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body) && typeof (body as { note?: unknown }).note === 'string') {
    return (body as { note: string }).note;
  }
  const header = req.headers[NOTE_HEADER];
  return typeof header === 'string' ? header : null;
}

/** The caller and the note, for a service that writes the DONE row in its own transaction. */
export const actedBy = (req: Request): ActedBy => ({ actor: actorOf(req), note: noteOf(req) });

export interface AuditDeps {
  db: Db;
  logger: Logger;
}

/**
 * An audited admin route: `router.post(path, ...audited(deps, 'exchange.sync', targetOf, auth…, handler))`.
 * Put the auth middleware inside, so that 401 and 403 are recorded too: 401/403/409 → REFUSED, any
 * other error → FAILED, each with the error code in `after`. The error then goes on to the one mapper.
 */
export function audited(
  deps: AuditDeps,
  action: AuditAction,
  targetOf: (req: Request) => string | null,
  ...handlers: RequestHandler[]
): (RequestHandler | ErrorRequestHandler)[] {
  const onError: ErrorRequestHandler = async (err: unknown, req, _res, next) => {
    const appError = isAppError(err) ? err : fromExpress(err);
    const status = appError?.status ?? 500;
    try {
      await recordAlone(deps.db, {
        actor: actorOf(req),
        action,
        target: safeTarget(req, targetOf),
        outcome: status === 401 || status === 403 || status === 409 ? 'REFUSED' : 'FAILED',
        note: noteOf(req),
        after: { error: appError?.code ?? 'INTERNAL' },
      });
    } catch (auditErr) {
      deps.logger.error({ err: auditErr, action }, 'audit row for a refused or failed action not written');
    }
    next(err);
  };
  return [...handlers, onError];
}

function safeTarget(req: Request, targetOf: (req: Request) => string | null): string | null {
  try {
    return targetOf(req);
  } catch {
    return null; // e.g. a path parameter that does not decode
  }
}
