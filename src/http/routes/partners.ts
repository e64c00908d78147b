// Partner versions (contract section 11): drafts, dry runs, activation/rollback and their history.
// Reads for viewer and up; actions admin only, each an audit row (contract 12.3): DONE written by the
// service in the action's transaction, REFUSED/FAILED by `audited`.
import express, { type Request, type Router } from 'express';
import { AppError } from '../../errors.js';
import { decodeSignatureHeader, SIGNATURE_HEADER } from '../../exchange/signature-header.js';
import type { PartnerOnboarding } from '../../onboarding/service.js';
import type { Db } from '../../store/db.js';
import { ACCESS, type Authenticator } from '../auth.js';
import { actorOf, audited, noteOf, type AuditDeps } from '../audited.js';
import { pathParam } from '../params.js';
import { runView } from './exchanges.js';

export interface PartnerRouteDeps extends AuditDeps {
  auth: Authenticator;
  onboarding: PartnerOnboarding;
  db: Db;
}

/** Bundles are manifests, schemas and a few certificates; samples are test lists, not nightly files. */
const BUNDLE_LIMIT = '2mb';
const SAMPLE_LIMIT = '16mb';

/** A partner code (ISO 3166-1 alpha-2, or EU): a new code is a new partner. */
function codeOf(req: Request): string {
  const code = pathParam(req, 'partner').toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) throw new AppError('BAD_REQUEST', 'A partner code is two letters (ISO 3166-1 alpha-2, or EU).');
  return code;
}

function versionOf(req: Request): number {
  const raw = pathParam(req, 'version');
  const n = /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new AppError('BAD_REQUEST', 'A version is a positive whole number.');
  return n;
}

function json(limit: string): express.RequestHandler[] {
  return [
    (req, _res, next) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      next(type === 'application/json' ? undefined : new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.'));
    },
    express.json({ limit, strict: true }),
  ];
}

export function partnerRoutes(router: Router, deps: PartnerRouteDeps): void {
  const { onboarding } = deps;
  const read = deps.auth.requireScopes(...ACCESS.read);
  const admin = deps.auth.requireScopes(...ACCESS.admin);
  const target = (req: Request): string => (req.params.version ? `${codeOf(req)}/${versionOf(req)}` : codeOf(req));

  router.post(
    '/admin/partners/:partner/versions',
    ...audited(deps, 'partner.draft', target, admin, ...json(BUNDLE_LIMIT), async (req, res) => {
      const draft = await onboarding.draft(codeOf(req), req.body, actorOf(req), noteOf(req));
      res.status(201).json(draft);
    }),
  );

  router.get('/admin/partners/:partner/versions', read, async (req, res) => {
    res.json(await onboarding.list(codeOf(req)));
  });

  router.get('/admin/partners/:partner/versions/:version', read, async (req, res) => {
    res.json(await onboarding.get(codeOf(req), versionOf(req)));
  });

  // The sample as the raw body (any content type: it is what the partner would send).
  router.post(
    '/admin/partners/:partner/versions/:version/dry-run',
    ...audited(deps, 'partner.dryRun', target, admin, express.raw({ type: () => true, limit: SAMPLE_LIMIT, inflate: false }), async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = decodeSignatureHeader(req.headers[SIGNATURE_HEADER]);
      const report = await onboarding.dryRun(codeOf(req), versionOf(req), { body, signature }, actorOf(req), noteOf(req));
      res.json(report);
    }),
  );

  router.post(
    '/admin/partners/:partner/versions/:version/activate',
    ...audited(deps, 'partner.activate', target, admin, ...json('64kb'), async (req, res) => {
      const note: unknown = (req.body as { note?: unknown } | null)?.note;
      // The note is the activation's and its audit row's.
      const result = await onboarding.activate(codeOf(req), versionOf(req), note, actorOf(req));
      res.json({ ...result, exchange: result.exchange && runView(result.exchange) });
    }),
  );
}
