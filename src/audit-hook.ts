// Audit rows of domestic and outbound admin actions (contract 12.3), from the routes that did them.
// Written right after the action, in its own statement (not yet in the action's transaction); a
// refused call (401/403 before the route) is recorded by `audited` in src/http/audited.ts.
import type { Request } from 'express';
import type { Logger } from 'pino';
import { recordAlone } from './audit/audit-log.js';
import { actorOf, noteOf } from './http/audited.js';
import type { Db } from './store/db.js';

export type AdminAction = 'domestic.import' | 'outbound.run' | 'outbound.approve' | 'outbound.reject' | 'outbound.resend';

export interface AdminActionRecord {
  action: AdminAction;
  target: string;
  outcome: 'DONE' | 'REFUSED' | 'FAILED';
  before?: unknown;
  after?: unknown;
}

export type AdminActionRecorder = (req: Request, record: AdminActionRecord) => Promise<void>;

export function adminActionRecorder(db: Db, logger: Logger): AdminActionRecorder {
  return async (req, record) => {
    try {
      await recordAlone(db, { actor: actorOf(req), note: noteOf(req), ...record });
    } catch (err) {
      logger.error({ err, action: record.action }, 'audit row not written');
    }
  };
}
