// The domestic register over HTTP (contract 9.1): imports, their review, and reads. Scope admin.
import express, { type Request, type Router } from 'express';
import { readImportBody, type DomesticRegister } from '../../domestic/register.js';
import { enterpriseHistory, enterpriseOf, getImport, type ImportRun } from '../../domestic/repo.js';
import { DOMESTIC_STATUSES, LEVELS, type Enterprise } from '../../domestic/types.js';
import { AppError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { ACCESS, type Authenticator } from '../auth.js';
import { actedBy, audited, type AuditDeps } from '../audited.js';
import { pathParam, queryParam } from '../params.js';

const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

/** Answered like a push: 200 APPLIED | NO_CHANGE | QUARANTINED, 422 REJECTED. */
const importStatus = (run: ImportRun): number => (run.outcome === 'REJECTED' && run.review === null ? 422 : 200);

function oneQuery(req: Request, name: string): string | undefined {
  const v = queryParam(req, name);
  if (v === null) throw new AppError('BAD_REQUEST', `${name} may be given once.`);
  return v;
}

export interface DomesticFilter {
  level?: string;
  status?: string;
  q?: string;
}

/** Filter, order by aeoCode, page after the cursor (pure). */
export function pageEnterprises(all: Iterable<Enterprise>, f: DomesticFilter, after: string | null, limit: number) {
  const q = f.q?.toLowerCase();
  const matching = [...all]
    .filter((e) => (f.level === undefined || e.level === f.level) && (f.status === undefined || e.status === f.status))
    .filter((e) => q === undefined || [e.aeoCode, e.uscc, e.nameZh, e.nameEn].some((t) => t.toLowerCase().includes(q)))
    .sort((a, b) => (a.aeoCode < b.aeoCode ? -1 : a.aeoCode > b.aeoCode ? 1 : 0));
  const start = after === null ? 0 : matching.findIndex((e) => e.aeoCode > after);
  const page = start < 0 ? [] : matching.slice(start, start + limit);
  const more = start >= 0 && start + limit < matching.length;
  return { enterprises: page, total: matching.length, nextCursor: more ? Buffer.from(page.at(-1)!.aeoCode).toString('base64url') : null };
}

export function domesticRoutes(router: Router, deps: AuditDeps & { auth: Authenticator; db: Db; register: DomesticRegister }): void {
  const read = deps.auth.requireScopes(...ACCESS.read);
  const admin = deps.auth.requireScopes(...ACCESS.admin);

  // Refused and failed calls are written by `audited`; a finished import (even REJECTED) is a DONE row
  // with its outcome, written by the register in the transaction that records the outcome.
  router.post(
    '/admin/domestic/imports',
    ...audited(deps, 'domestic.import', () => 'register', admin, express.raw({ type: () => true, limit: MAX_IMPORT_BYTES }), async (req, res) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const input = readImportBody(type, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), oneQuery(req, 'kind'));
      const by = actedBy(req);
      const run = await deps.register.import(input, 'import', by.actor.name, { audit: by });
      res.status(importStatus(run)).json(run);
    }),
  );

  router.get('/admin/domestic/imports/:id', read, async (req, res) => {
    const run = await getImport(deps.db, pathParam(req, 'id'));
    if (!run) throw new AppError('NOT_FOUND', 'No domestic import has this id.');
    res.json(run);
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(
      `/admin/domestic/imports/:id/${decision}`,
      ...audited(deps, 'domestic.import', (req) => pathParam(req, 'id'), admin, async (req, res) => {
        const id = pathParam(req, 'id');
        const by = actedBy(req);
        const run = await deps.register.review(id, decision === 'approve' ? 'approved' : 'rejected', by.actor.name, by);
        res.json(run);
      }),
    );
  }

  router.get('/admin/domestic/enterprises', read, async (req, res) => {
    const level = oneQuery(req, 'level');
    const status = oneQuery(req, 'status');
    const q = oneQuery(req, 'q');
    const cursor = oneQuery(req, 'cursor');
    const limitRaw = oneQuery(req, 'limit');
    if (level !== undefined && !(LEVELS as readonly string[]).includes(level)) throw new AppError('BAD_REQUEST', `level is one of ${LEVELS.join(', ')}.`);
    if (status !== undefined && !(DOMESTIC_STATUSES as readonly string[]).includes(status)) {
      throw new AppError('BAD_REQUEST', `status is one of ${DOMESTIC_STATUSES.join(', ')}.`);
    }
    if (q !== undefined && q.length > 200) throw new AppError('BAD_REQUEST', 'q is at most 200 characters.');
    const limit = limitRaw === undefined ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('BAD_REQUEST', 'limit is an integer from 1 to 1000.');
    const after = cursor === undefined ? null : Buffer.from(cursor, 'base64url').toString('utf8');
    if (after !== null && !/^AEOCN[0-9A-Z]{10}$/.test(after)) throw new AppError('BAD_REQUEST', 'cursor is not one this route gave.');
    res.json(pageEnterprises((await deps.register.current()).values(), { level, status, q }, after, limit));
  });

  router.get('/admin/domestic/enterprises/:aeoCode', read, async (req, res) => {
    const code = pathParam(req, 'aeoCode').toUpperCase();
    const match = /^AEOCN([0-9A-Z]{10})$/.exec(code);
    const history = match ? await enterpriseHistory(deps.db, match[1]!) : [];
    const latest = history.at(-1);
    if (!latest) throw new AppError('NOT_FOUND', 'No enterprise of the register has this AEO code.');
    res.json({
      ...enterpriseOf(latest),
      inRegister: !latest.removed,
      history: history.map((e) => ({ ...e, id: undefined })),
    });
  });
}
