// Partners and exchange runs (contract section 5), push (6.1), manual sync and quarantine review.
import express, { type Request, type Router } from 'express';
import { AppError } from '../../errors.js';
import type { Partners } from '../../exchange/partners.js';
import type { InboundPipeline } from '../../exchange/pipeline.js';
import { decodeSignatureHeader, SIGNATURE_HEADER } from '../../exchange/signature-header.js';
import type { ExchangeRun } from '../../exchange/types.js';
import type { Db } from '../../store/db.js';
import { getRun, listRuns } from '../../store/exchanges-repo.js';
import { adminOnly, type Authenticator } from '../auth.js';
import { pathParam, queryParam } from '../params.js';

export interface PartnerStatus {
  code: string;
  agreementId: string;
  enabled: boolean;
  lastSuccessAt: string | null;
  lastSequence: number | null;
  operatorCount: number;
  stale: boolean;
  nextRunAt: string | null;
  lastOutcome: string | null;
  /** What we send the partner (contract 9.6); null when its manifest has no outbound settings. */
  outbound: { enabled: boolean; lastSequence: number | null; lastState: string | null; lastAcknowledgedAt: string | null; nextRunAt: string | null } | null;
}

export interface ExchangeRouteDeps {
  auth: Authenticator;
  db: Db;
  partners: Partners;
  pipeline: InboundPipeline;
  partnerStatuses: () => Promise<PartnerStatus[]>;
  /** Pulls a partner's list now (manual trigger). */
  syncNow: (partner: string) => Promise<ExchangeRun>;
}

/** The API view of a run: the contract's fields, internal bookkeeping left out. */
export function runView(run: ExchangeRun): Record<string, unknown> {
  const { payloadBytes, reasonMessage, generatedAt, appliedAt, review, ...rest } = run;
  return { ...rest, reasonMessage, generatedAt, appliedAt, payloadBytes, review };
}

/** 200 processed, 422 refused, 503 we could not process it (the partner should retry), 202 still running. */
function pushStatus(run: ExchangeRun): number {
  if (run.outcome === null) return 202;
  if (run.outcome === 'REJECTED') return 422;
  if (run.outcome === 'FAILED') return 503;
  return 200;
}

function partnerCode(req: Request, partners: Partners): string {
  const code = pathParam(req, 'partner').toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || !partners.get(code)) throw new AppError('UNKNOWN_PARTNER', 'No exchange partner has this code.');
  return code;
}

export function exchangeRoutes(router: Router, deps: ExchangeRouteDeps): void {
  const { auth, db, partners, pipeline } = deps;
  // Section 5 is operations data: admin scope (the lookup scope reads the registry and lookups only).
  const admin = auth.require(adminOnly);
  const canRead = admin;

  router.get('/v1/partners', canRead, async (_req, res) => {
    res.json({ partners: await deps.partnerStatuses() });
  });

  router.get('/v1/exchanges', canRead, async (req, res) => {
    const partner = queryParam(req, 'partner');
    const direction = queryParam(req, 'direction');
    const limitRaw = queryParam(req, 'limit');
    if (partner === null || direction === null || limitRaw === null) throw new AppError('BAD_REQUEST', 'Each filter may be given once.');
    if (partner !== undefined && !/^[A-Za-z]{2}$/.test(partner)) throw new AppError('BAD_REQUEST', 'partner is a two-letter code.');
    if (direction !== undefined && direction !== 'inbound' && direction !== 'outbound') {
      throw new AppError('BAD_REQUEST', 'direction is inbound or outbound.');
    }
    const limit = limitRaw === undefined ? 50 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AppError('BAD_REQUEST', 'limit is an integer from 1 to 500.');
    const runs = await listRuns(db, { partner: partner?.toUpperCase(), direction, limit });
    res.json({ exchanges: runs.map(runView) });
  });

  router.get('/v1/exchanges/:id', canRead, async (req, res) => {
    const run = await getRun(db, pathParam(req, 'id'));
    if (!run) throw new AppError('NOT_FOUND', 'No exchange has this id.');
    res.json(runView(run));
  });

  // Push: the partner's own token only; the raw bytes are what was signed.
  for (const p of partners.all()) {
    const code = p.def.code;
    router.post(
      `/exchange/v1/inbound/${code}`,
      auth.require((scope) => scope === `partner-${code}`),
      (req, _res, next) => {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/xml' && type !== 'application/json' && type !== 'text/xml') {
          return next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the list as application/xml or application/json.'));
        }
        next();
      },
      express.raw({ type: () => true, limit: p.def.manifest.maxBytes, inflate: false }),
      async (req, res) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const signature = decodeSignatureHeader(req.headers[SIGNATURE_HEADER]);
        const run = await pipeline.receive(code, 'push', { body, signature });
        res.status(pushStatus(run)).json(runView(run));
      },
    );
  }
  router.post('/exchange/v1/inbound/:partner', auth.require(() => false), (req) => {
    partnerCode(req, partners);
  });

  router.post('/admin/partners/:partner/sync', admin, async (req, res) => {
    const run = await deps.syncNow(partnerCode(req, partners));
    res.json(runView(run));
  });

  router.post('/admin/exchanges/:id/approve', admin, async (req, res) => {
    res.json(runView(await pipeline.review(pathParam(req, 'id'), 'approved', req.principal?.scope ?? 'admin')));
  });

  router.post('/admin/exchanges/:id/reject', admin, async (req, res) => {
    res.json(runView(await pipeline.review(pathParam(req, 'id'), 'rejected', req.principal?.scope ?? 'admin')));
  });
}

