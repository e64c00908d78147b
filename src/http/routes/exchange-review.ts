// What an operator needs to review a run: the raw payload as a download, and a quarantined list's
// diff against the applied one (GET /admin/exchanges/{id}/payload, /diff).
import type { RequestHandler, Router } from 'express';
import { AppError } from '../../errors.js';
import type { InboundPipeline } from '../../exchange/pipeline.js';
import { removalRatio, reviewPage, type DiffSection } from '../../exchange/review-diff.js';
import type { Db } from '../../store/db.js';
import { getMessage, getRun } from '../../store/exchanges-repo.js';
import { pathParam, queryParam } from '../params.js';

export interface ReviewRouteDeps {
  db: Db;
  pipeline: InboundPipeline;
  canRead: RequestHandler;
  canDownload: RequestHandler;
}

const SECTIONS: readonly DiffSection[] = ['removed', 'changed', 'added'];

function intParam(raw: string | undefined | null, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = raw === null ? NaN : Number(raw);
  if (raw === null || !/^\d{1,7}$/.test(raw) || n > max) throw new AppError('BAD_REQUEST', `${name} is an integer from 0 to ${max}.`);
  return n;
}

export function exchangeReviewRoutes(router: Router, deps: ReviewRouteDeps): void {
  router.get('/admin/exchanges/:id/payload', deps.canDownload, async (req, res) => {
    const run = await getRun(deps.db, pathParam(req, 'id'));
    if (!run) throw new AppError('NOT_FOUND', 'No exchange has this id.');
    const message = await getMessage(deps.db, run.id);
    if (!message) throw new AppError('NOT_FOUND', 'The message of this run is not stored (too large, never received, or past retention).');
    // Partner bytes are never rendered: an attachment of an opaque type, and no sniffing.
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Disposition', `attachment; filename="${run.partner}-${run.sequence ?? 'unknown'}-${run.id}.payload"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.send(message.body);
  });

  router.get('/admin/exchanges/:id/diff', deps.canRead, async (req, res) => {
    const section = queryParam(req, 'section') ?? 'removed';
    if (!(SECTIONS as readonly (string | null)[]).includes(section)) throw new AppError('BAD_REQUEST', 'section is removed, changed or added.');
    const offset = intParam(queryParam(req, 'offset'), 'offset', 0, 10_000_000);
    const limit = Math.max(1, intParam(queryParam(req, 'limit'), 'limit', 50, 500));
    const { run, diff, current } = await deps.pipeline.preview(pathParam(req, 'id'));
    const page = reviewPage(diff, current, section as DiffSection, offset, limit);
    res.json({
      exchangeId: run.id,
      partner: run.partner,
      sequence: run.sequence,
      outcome: run.outcome,
      counts: diff.counts,
      activeBefore: diff.activeBefore,
      activeAfter: diff.activeAfter,
      removalRatio: removalRatio(diff),
      section,
      offset,
      total: page.total,
      rows: page.rows,
    });
  });
}
