// The audit log's hash chain, pure: a row's hash is SHA-256 over the previous row's hash and the
// row's content as canonical JSON (keys sorted), so it does not depend on how jsonb orders keys.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** What an audit row says; every field is covered by its hash. */
export interface AuditContent {
  id: number;
  at: string;
  actor: string;
  scopes: readonly string[];
  action: string;
  target: string | null;
  outcome: string;
  note: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export interface ChainedRow extends AuditContent {
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every level; `undefined` becomes null. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function rowHash(prevHash: string, content: AuditContent): string {
  const { id, at, actor, scopes, action, target, outcome, note, before, after, requestId } = content;
  const body = canonicalJson({ id, at, actor, scopes, action, target, outcome, note, before, after, requestId });
  return createHash('sha256').update(`${prevHash}\n${body}`, 'utf8').digest('hex');
}

export interface BrokenLink {
  id: number;
  problem: string;
}

/** The first row, in chain order, whose link to `prevHash` or whose own hash does not hold; null when all hold. */
export function firstBrokenLink(rows: readonly ChainedRow[], prevHash: string): BrokenLink | null {
  let expected = prevHash;
  for (const row of rows) {
    if (row.prevHash !== expected) {
      return { id: row.id, problem: 'its prev_hash is not the hash of the row before it (a row was removed, inserted or changed)' };
    }
    if (rowHash(row.prevHash, row) !== row.hash) return { id: row.id, problem: 'its content does not match its hash (the row was changed)' };
    expected = row.hash;
  }
  return null;
}
