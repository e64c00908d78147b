// GET /admin/operators/{code}/history: every statement recorded about one operator, for the console's
// timeline ("why was this consignor not recognised on that day, as known then?").
import type { RequestHandler, Router } from 'express';
import { AppError } from '../../errors.js';
import type { Partners } from '../../exchange/partners.js';
import type { LookupService } from '../../lookup/service.js';
import type { Db } from '../../store/db.js';
import { operatorHistory } from '../../store/operator-history-repo.js';
import { pathParam } from '../params.js';

export interface OperatorRouteDeps {
  db: Db;
  lookup: LookupService;
  partners: Partners;
  /** Who may read operations data. */
  canRead: RequestHandler;
}

export function operatorRoutes(router: Router, deps: OperatorRouteDeps): void {
  router.get('/admin/operators/:code/history', deps.canRead, async (req, res) => {
    const now = Date.now();
    // The same normalisation and resolution as a lookup, so every accepted form finds the operator.
    const answer = deps.lookup.recognise(pathParam(req, 'code'), deps.lookup.today(now), now, now);
    if (answer.decision === 'INVALID_CODE') throw new AppError('INVALID_CODE');
    const exchange = answer.agreement ? deps.partners.forAgreement(answer.agreement.id) : undefined;
    if (!answer.operator || !exchange) throw new AppError('NOT_FOUND', 'No partner list has ever held this operator.');
    const events = await operatorHistory(deps.db, exchange.def.code, answer.operator.partnerId);
    res.json({
      code: answer.code,
      partner: exchange.def.code,
      partnerId: answer.operator.partnerId,
      declaredCode: answer.operator.declaredCode,
      events,
    });
  });
}
