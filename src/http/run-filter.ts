// GET /v1/exchanges query → a run filter (pure): every filter once, each checked, a clear 400 otherwise.
import { AppError } from '../errors.js';
import type { Direction, Outcome, Trigger } from '../exchange/types.js';
import type { RunFilter } from '../store/exchanges-repo.js';

const OUTCOMES: readonly Outcome[] = ['APPLIED', 'NO_CHANGE', 'QUARANTINED', 'REJECTED', 'FAILED'];
const TRIGGERS: readonly string[] = ['schedule', 'manual', 'push', 'startup', 'import', 'activation'];
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The opaque cursor of a page: where the last run of the previous page started, and its id. */
export function encodeCursor(last: { startedAtMicros: string; id: string }): string {
  return Buffer.from(`${last.startedAtMicros}.${last.id}`, 'utf8').toString('base64url');
}

function decodeCursor(raw: string): RunFilter['before'] {
  const text = /^[A-Za-z0-9_-]{1,120}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  const m = /^(\d{1,20})\.([0-9a-f-]{36})$/.exec(text);
  if (!m || !UUID.test(m[2]!)) throw new AppError('BAD_REQUEST', 'cursor is not one this API gave out.');
  return { startedAtMicros: m[1]!, id: m[2]! };
}

function instant(name: string, raw: string): string {
  const ms = RFC3339.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw new AppError('BAD_REQUEST', `${name} is an RFC 3339 instant with a zone, e.g. 2026-11-20T00:00:00Z.`);
  return new Date(ms).toISOString();
}

export function parseRunFilter(query: Record<string, unknown>): RunFilter {
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new AppError('BAD_REQUEST', 'Each filter may be given once.');
    return v;
  };
  const filter: RunFilter = { limit: 50 };
  const partner = one('partner');
  if (partner !== undefined) {
    if (!/^[A-Za-z]{2}$/.test(partner)) throw new AppError('BAD_REQUEST', 'partner is a two-letter code.');
    filter.partner = partner.toUpperCase();
  }
  const direction = one('direction');
  if (direction !== undefined) {
    if (direction !== 'inbound' && direction !== 'outbound') throw new AppError('BAD_REQUEST', 'direction is inbound or outbound.');
    filter.direction = direction satisfies Direction;
  }
  const outcome = one('outcome');
  if (outcome !== undefined) {
    if (!(OUTCOMES as readonly string[]).includes(outcome)) throw new AppError('BAD_REQUEST', `outcome is one of ${OUTCOMES.join(', ')}.`);
    filter.outcome = outcome as Outcome;
  }
  const reason = one('reason');
  if (reason !== undefined) {
    if (!/^[A-Z_]{1,40}$/.test(reason)) throw new AppError('BAD_REQUEST', 'reason is a reason code such as SIGNATURE_INVALID.');
    filter.reason = reason;
  }
  const trigger = one('trigger');
  if (trigger !== undefined) {
    if (!TRIGGERS.includes(trigger)) throw new AppError('BAD_REQUEST', `trigger is one of ${TRIGGERS.join(', ')}.`);
    filter.trigger = trigger as Trigger;
  }
  const from = one('from');
  if (from !== undefined) filter.from = instant('from', from);
  const to = one('to');
  if (to !== undefined) filter.to = instant('to', to);
  const cursor = one('cursor');
  if (cursor !== undefined) filter.before = decodeCursor(cursor);
  const limit = one('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!/^\d{1,3}$/.test(limit) || n < 1 || n > 500) throw new AppError('BAD_REQUEST', 'limit is an integer from 1 to 500.');
    filter.limit = n;
  }
  return filter;
}
