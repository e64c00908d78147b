// Outbound batches: read and operate (contract 9.6). Scope admin (viewer/operator come with roles).
import type { Request, Router } from 'express';
import { recordAdminAction, type AdminAction } from '../../audit-hook.js';
import { AppError, isAppError } from '../../errors.js';
import type { OutboundService } from '../../outbound/service.js';
import { adminOnly, type Authenticator } from '../auth.js';
import { pathParam, queryParam } from '../params.js';

const STATES = new Set(['BUILT', 'PENDING_APPROVAL', 'SENDING', 'RETRY_WAIT', 'DELIVERED', 'ACKNOWLEDGED', 'REJECTED_BY_PARTNER', 'RECEIPT_MISMATCH', 'RECEIPT_OVERDUE', 'DEAD_LETTER', 'FAILED', 'SUPERSEDED', 'NO_CHANGE', 'REJECTED']);

function one(req: Request, name: string): string | undefined {
  const v = queryParam(req, name);
  if (v === null) throw new AppError('BAD_REQUEST', `${name} may be given once.`);
  return v;
}

/** Runs an admin action with its one audit call, whatever the result. */
async function audited<T>(req: Request, action: AdminAction, target: string, fn: () => Promise<T>): Promise<T> {
  try {
    const value = await fn();
    recordAdminAction(req, { action, target, outcome: 'DONE', after: value });
    return value;
  } catch (err) {
    recordAdminAction(req, { action, target, outcome: isAppError(err) && err.status === 409 ? 'REFUSED' : 'FAILED' });
    throw err;
  }
}

export function outboundRoutes(router: Router, deps: { auth: Authenticator; outbound: OutboundService }): void {
  const admin = deps.auth.require(adminOnly);
  const { outbound } = deps;

  router.get('/v1/outbound', admin, async (req, res) => {
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

  router.get('/v1/outbound/:id', admin, async (req, res) => {
    res.json(await outbound.view(pathParam(req, 'id')));
  });

  router.post('/admin/outbound/:partner/run', admin, async (req, res) => {
    const partner = pathParam(req, 'partner').toUpperCase();
    const kind = one(req, 'kind');
    if (kind !== undefined && kind !== 'FULL') throw new AppError('BAD_REQUEST', 'kind is FULL (to force one) or absent.');
    const batch = await audited(req, 'outbound.run', partner, () => outbound.run(partner, 'manual', kind === 'FULL'));
    res.json(await outbound.view(batch.id));
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/admin/outbound/:id/${decision}`, admin, async (req, res) => {
      const id = pathParam(req, 'id');
      await audited(req, decision === 'approve' ? 'outbound.approve' : 'outbound.reject', id, () => outbound.review(id, decision));
      res.json(await outbound.view(id));
    });
  }

  router.post('/admin/outbound/:id/resend', admin, async (req, res) => {
    const id = pathParam(req, 'id');
    await audited(req, 'outbound.resend', id, () => outbound.resend(id));
    res.json(await outbound.view(id));
  });
}
