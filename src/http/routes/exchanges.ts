// Partners and exchange runs (contract section 5), push (6.1), manual sync and quarantine review.
import express, { type Request, type Router } from 'express';
import type { Logger } from 'pino';
import * as audit from '../../audit/audit-log.js';
import { AppError } from '../../errors.js';
import type { Partners } from '../../exchange/partners.js';
import type { InboundPipeline, RunRecorder } from '../../exchange/pipeline.js';
import { decodeSignatureHeader, SIGNATURE_HEADER } from '../../exchange/signature-header.js';
import type { ExchangeRun } from '../../exchange/types.js';
import type { HealthWord } from '../../ops/health.js';
import type { Db } from '../../store/db.js';
import { getRun, listRuns } from '../../store/exchanges-repo.js';
import { ACCESS, type Authenticator } from '../auth.js';
import { actorOf, audited, noteOf } from '../audited.js';
import { RETRY_AFTER_SECONDS } from '../error-handler.js';
import { pathParam } from '../params.js';
import { encodeCursor, parseRunFilter } from '../run-filter.js';

export interface PartnerStatus {
  code: string;
  agreementId: string;
  enabled: boolean;
  lastSuccessAt: string | null;
  /** The generatedAt of the list lookups answer from (what `dataAsOf` says). */
  dataAsOf: string | null;
  lastSequence: number | null;
  operatorCount: number;
  stale: boolean;
  nextRunAt: string | null;
  lastOutcome: string | null;
  health: HealthWord;
  /** The partner version this process serves (contract 11). */
  definitionVersion: number | null;
  /** Why the active version could not be loaded in this process (it serves the last good one); null when fine. */
  definitionError: string | null;
  /** What we send the partner (contract 9.6); null when its manifest has no outbound settings. */
  outbound: { enabled: boolean; lastSequence: number | null; lastState: string | null; lastAcknowledgedAt: string | null; nextRunAt: string | null } | null;
}

export interface ExchangeRouteDeps {
  auth: Authenticator;
  db: Db;
  logger: Logger;
  partners: Partners;
  pipeline: InboundPipeline;
  partnerStatuses: () => Promise<PartnerStatus[]>;
  /** Pulls a partner's list now (manual trigger); `recorder` writes in the run's final transaction. */
  syncNow: (partner: string, recorder: RunRecorder) => Promise<ExchangeRun>;
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
  // Section 5 is operations data: viewers read it; operators also sync and review.
  const canRead = auth.requireScopes(...ACCESS.read);
  const canOperate = auth.requireScopes(...ACCESS.operate);
  const reviewBody = express.json({ limit: '16kb', strict: true });

  router.get('/v1/partners', canRead, async (_req, res) => {
    res.json({ partners: await deps.partnerStatuses() });
  });

  router.get('/v1/exchanges', canRead, async (req, res) => {
    const { runs, last } = await listRuns(db, parseRunFilter(req.query));
    res.json({ exchanges: runs.map(runView), nextCursor: last ? encodeCursor(last) : null });
  });

  router.get('/v1/exchanges/:id', canRead, async (req, res) => {
    const run = await getRun(db, pathParam(req, 'id'));
    if (!run) throw new AppError('NOT_FOUND', 'No exchange has this id.');
    res.json(runView(run));
  });

  // Push: the partner's own token only; the raw bytes are what was signed. One route for every partner,
  // resolved per request, so a partner activated while the gateway runs can push at once.
  const rawParsers = new Map<number, express.RequestHandler>();
  router.post(
    '/exchange/v1/inbound/:partner',
    auth.require((scope, req) => scope === `partner-${pathParam(req, 'partner').toUpperCase()}`),
    (req, _res, next) => {
      const code = partnerCode(req, partners);
      // A known code spelled otherwise in the path (`E%55`) is not that partner's route.
      if (req.path.split('/').pop() !== code) {
        throw new AppError('NOT_FOUND', `No such route; push ${code}'s lists to /exchange/v1/inbound/${code}.`);
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/xml' && type !== 'application/json' && type !== 'text/xml') {
        return next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the list as application/xml or application/json.'));
      }
      next();
    },
    (req, res, next) => {
      const maxBytes = partners.get(partnerCode(req, partners))!.def.manifest.maxBytes;
      let parse = rawParsers.get(maxBytes);
      if (!parse) {
        parse = express.raw({ type: () => true, limit: maxBytes, inflate: false });
        rawParsers.set(maxBytes, parse);
      }
      parse(req, res, next);
    },
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = decodeSignatureHeader(req.headers[SIGNATURE_HEADER]);
      const run = await pipeline.receive(partnerCode(req, partners), 'push', { body, signature });
      const status = pushStatus(run);
      if (status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(status).json(runView(run));
    },
  );

  const partnerTarget = (req: Request): string => pathParam(req, 'partner').toUpperCase();
  router.post(
    '/admin/partners/:partner/sync',
    ...audited(deps, 'exchange.sync', partnerTarget, canOperate, async (req, res) => {
      const code = partnerCode(req, partners);
      const actor = actorOf(req);
      const note = noteOf(req);
      // The audit row commits with the run's outcome; a pull that failed is a FAILED sync.
      const recorder: RunRecorder = (tx, run) =>
        audit.record(tx, {
          actor,
          action: 'exchange.sync',
          target: code,
          outcome: run.outcome === 'FAILED' ? 'FAILED' : 'DONE',
          note,
          after: { exchangeId: run.id, outcome: run.outcome, reason: run.reason },
        }).then(() => undefined);
      res.json(runView(await deps.syncNow(code, recorder)));
    }),
  );

  const exchangeTarget = (req: Request): string => pathParam(req, 'id');
  for (const decision of ['approved', 'rejected'] as const) {
    const verb = decision === 'approved' ? 'approve' : 'reject';
    router.post(
      `/admin/exchanges/:id/${verb}`,
      ...audited(deps, `exchange.${verb}`, exchangeTarget, canOperate, reviewBody, async (req, res) => {
        res.json(runView(await pipeline.review(pathParam(req, 'id'), decision, actorOf(req), noteOf(req))));
      }),
    );
  }
}
