// GET /admin/audit (contract 12.3): the audit log, newest first, filtered, keyset-paged. Viewers read it.
import type { Router } from 'express';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, list, type AuditAction, type AuditOutcome } from '../../audit/audit-log.js';
import { parseInstant } from '../../domain/dates.js';
import { AppError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { ACCESS, type Authenticator } from '../auth.js';
import { queryParam } from '../params.js';

const MAX_LIMIT = 500;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new AppError('BAD_REQUEST', `${name} is one of ${allowed.join(', ')}.`);
  return value as T;
}

function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = parseInstant(value);
  if (ms === null) throw new AppError('BAD_REQUEST', `${name} must be an RFC 3339 timestamp with a time zone.`);
  return new Date(ms).toISOString();
}

function integer(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d{1,15}$/.test(value) || n < 1 || n > max) throw new AppError('BAD_REQUEST', `${name} must be an integer from 1 to ${max}.`);
  return n;
}

export function auditRoutes(router: Router, auth: Authenticator, db: Db): void {
  router.get('/admin/audit', auth.requireScopes(...ACCESS.read), async (req, res) => {
    const names = ['actor', 'action', 'outcome', 'from', 'to', 'cursor', 'limit'] as const;
    const q = Object.fromEntries(names.map((n) => [n, queryParam(req, n)])) as Record<(typeof names)[number], string | null | undefined>;
    if (Object.values(q).some((v) => v === null)) throw new AppError('BAD_REQUEST', 'Each filter may be given once.');
    const v = q as Record<(typeof names)[number], string | undefined>;
    if (v.actor !== undefined && (v.actor.length === 0 || v.actor.length > 200)) throw new AppError('BAD_REQUEST', 'actor is 1 to 200 characters.');
    const page = await list(db, {
      actor: v.actor,
      action: oneOf<AuditAction>('action', v.action, AUDIT_ACTIONS),
      outcome: oneOf<AuditOutcome>('outcome', v.outcome, AUDIT_OUTCOMES),
      from: instant('from', v.from),
      to: instant('to', v.to),
      before: integer('cursor', v.cursor, Number.MAX_SAFE_INTEGER),
      limit: integer('limit', v.limit, MAX_LIMIT) ?? 50,
    });
    res.json(page);
  });
}
