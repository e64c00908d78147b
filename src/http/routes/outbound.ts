// Outbound batches: read (viewer and up) and operate (contract 9.6): run now admin; approve, reject, resend operator.
import type { Request, Router } from 'express';
import { AppError } from '../../errors.js';
import type { OutboundService } from '../../outbound/service.js';
import { ACCESS, type Authenticator } from '../auth.js';
import { actedBy, audited, type AuditDeps } from '../audited.js';
import { pathParam, queryParam } from '../params.js';

const STATES = new Set(['BUILT', 'PENDING_APPROVAL', 'SENDING', 'RETRY_WAIT', 'DELIVERED', 'ACKNOWLEDGED', 'REJECTED_BY_PARTNER', 'RECEIPT_MISMATCH', 'RECEIPT_OVERDUE', 'DEAD_LETTER', 'FAILED', 'SUPERSEDED', 'NO_CHANGE', 'REJECTED']);

function one(req: Request, name: string): string | undefined {
  const v = queryParam(req, name);
  if (v === null) throw new AppError('BAD_REQUEST', `${name} may be given once.`);
  return v;
}

export function outboundRoutes(router: Router, deps: AuditDeps & { auth: Authenticator; outbound: OutboundService }): void {
  const read = deps.auth.requireScopes(...ACCESS.read);
  const admin = deps.auth.requireScopes(...ACCESS.admin);
  const operate = deps.auth.requireScopes(...ACCESS.operate);
  const { outbound } = deps;

  router.get('/v1/outbound', read, async (req, res) => {
    const partner = one(req, 'partner')?.toUpperCase();
    const state = one(req, 'state');
    const limitRaw = one(req, 'limit');
    const cursor = one(req, 'cursor');
    if (partner !== undefined && !/^[A-Z]{2}$/.test(partner)) throw new AppError('BAD_REQUEST', 'partner is a two-letter code.');
    if (state !== undefined && !STATES.has(state)) throw new AppError('BAD_REQUEST', `state is one of ${[...STATES].join(', ')}.`);
    const limit = limitRaw === undefined ? 50 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AppError('BAD_REQUEST', 'limit is an integer from 1 to 500.');
    let before: { builtAt: string; id: string } | undefined;
    if (cursor !== undefined) {
      const [builtAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
      if (!builtAt || !id || Number.isNaN(Date.parse(builtAt)) || !/^[0-9a-f-]{36}$/.test(id)) throw new AppError('BAD_REQUEST', 'cursor is not one this route gave.');
      before = { builtAt, id };
    }
    const batches = await outbound.list({ partner, state, limit, before });
    const last = batches.at(-1);
    res.json({ batches, nextCursor: batches.length === limit && last ? Buffer.from(`${last.builtAt}|${last.id}`).toString('base64url') : null });
  });

  router.get('/v1/outbound/:id', read, async (req, res) => {
    res.json(await outbound.view(pathParam(req, 'id')));
  });

  // Refused and failed calls are written by `audited`; the DONE row by the service, in the
  // transaction of the change (the build, the review's or the resend's transition).
  const partnerTarget = (req: Request): string => pathParam(req, 'partner').toUpperCase();
  const batchTarget = (req: Request): string => pathParam(req, 'id');
  router.post('/admin/outbound/:partner/run', ...audited(deps, 'outbound.run', partnerTarget, admin, async (req, res) => {
    const partner = pathParam(req, 'partner').toUpperCase();
    const kind = one(req, 'kind');
    if (kind !== undefined && kind !== 'FULL') throw new AppError('BAD_REQUEST', 'kind is FULL (to force one) or absent.');
    const batch = await outbound.run(partner, 'manual', kind === 'FULL', actedBy(req));
    res.json(await outbound.view(batch.id));
  }));

  for (const decision of ['approve', 'reject'] as const) {
    const action = decision === 'approve' ? 'outbound.approve' : 'outbound.reject';
    router.post(`/admin/outbound/:id/${decision}`, ...audited(deps, action, batchTarget, operate, async (req, res) => {
      const id = pathParam(req, 'id');
      await outbound.review(id, decision, actedBy(req));
      res.json(await outbound.view(id));
    }));
  }

  router.post('/admin/outbound/:id/resend', ...audited(deps, 'outbound.resend', batchTarget, operate, async (req, res) => {
    const id = pathParam(req, 'id');
    await outbound.resend(id, actedBy(req));
    res.json(await outbound.view(id));
  }));
}
