// The domestic register over HTTP (contract 9.1): imports, their review, and reads. Scope admin.
import express, { type Request, type Router } from 'express';
import { recordAdminAction } from '../../audit-hook.js';
import { readImportBody, type DomesticRegister } from '../../domestic/register.js';
import { enterpriseHistory, enterpriseOf, getImport, type ImportRun } from '../../domestic/repo.js';
import { DOMESTIC_STATUSES, LEVELS, type Enterprise } from '../../domestic/types.js';
import { AppError, isAppError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { adminOnly, type Authenticator } from '../auth.js';
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

export function domesticRoutes(router: Router, deps: { auth: Authenticator; db: Db; register: DomesticRegister }): void {
  const admin = deps.auth.require(adminOnly);
  const actorOf = (req: Request): string => req.principal?.scope ?? 'admin';

  router.post(
    '/admin/domestic/imports',
    admin,
    express.raw({ type: () => true, limit: MAX_IMPORT_BYTES }),
    async (req, res) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      try {
        const input = readImportBody(type, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), oneQuery(req, 'kind'));
        const run = await deps.register.import(input, 'import', actorOf(req));
        recordAdminAction(req, { action: 'domestic.import', target: run.id, outcome: run.outcome === 'REJECTED' ? 'FAILED' : 'DONE', after: run.counts });
        res.status(importStatus(run)).json(run);
      } catch (err) {
        if (isAppError(err)) recordAdminAction(req, { action: 'domestic.import', target: 'register', outcome: 'FAILED' });
        throw err;
      }
    },
  );

  router.get('/admin/domestic/imports/:id', admin, async (req, res) => {
    const run = await getImport(deps.db, pathParam(req, 'id'));
    if (!run) throw new AppError('NOT_FOUND', 'No domestic import has this id.');
    res.json(run);
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/admin/domestic/imports/:id/${decision}`, admin, async (req, res) => {
      const id = pathParam(req, 'id');
      try {
        const run = await deps.register.review(id, decision === 'approve' ? 'approved' : 'rejected', actorOf(req));
        recordAdminAction(req, { action: 'domestic.import', target: id, outcome: 'DONE', after: run.outcome });
        res.json(run);
      } catch (err) {
        if (isAppError(err)) recordAdminAction(req, { action: 'domestic.import', target: id, outcome: err.status === 409 ? 'REFUSED' : 'FAILED' });
        throw err;
      }
    });
  }

  router.get('/admin/domestic/enterprises', admin, async (req, res) => {
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

  router.get('/admin/domestic/enterprises/:aeoCode', admin, async (req, res) => {
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
