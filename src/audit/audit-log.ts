// The audit log (contract 12.3): who did what, done or refused. Append-only, hash-chained rows.
//
// How to audit an admin action (as registry.*, exchange.*, partner.*, domestic.import and outbound.* do):
//
//   - DONE: inside the transaction that makes the change, call
//       await audit.record(tx, { actor, action: 'outbound.resend', target: batchId, note, before, after });
//     (`import * as audit from '../audit/audit-log.js'`; `actor` comes from `actorOf(req)` in
//     src/http/audited.ts, `cliActor()` from src/onboarding/actor.ts on the command line, passed down
//     to the service, e.g. as an `ActedBy` and written with `recordDone`). The row commits with the
//     change, or neither does. Work no admin asked for (schedules, start-up) passes no actor and writes
//     no row. `before`/`after` are small JSON views of what changed (no payloads, no secrets).
//   - REFUSED (401/403/409) and FAILED (any other error): wrap the route with `audited(...)` from
//     src/http/audited.ts; it records them in a transaction of their own and passes the error on.
//   - Outside a transaction (nothing else to commit), use `recordAlone(db, entry)`.
//
// Rows are chained under a transaction-scoped advisory lock, so several processes on one PostgreSQL
// append one chain in one order.
import type { Db, Queryable } from '../store/db.js';
import { firstBrokenLink, GENESIS_HASH, rowHash, type AuditContent, type BrokenLink, type ChainedRow } from './chain.js';

export const AUDIT_ACTIONS = [
  'registry.edit',
  'exchange.sync',
  'exchange.approve',
  'exchange.reject',
  'partner.draft',
  'partner.dryRun',
  'partner.activate',
  'domestic.import',
  'outbound.run',
  'outbound.approve',
  'outbound.reject',
  'outbound.resend',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['DONE', 'REFUSED', 'FAILED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Who acts: the token's name and scopes, and the request it came with (null from the CLI or a schedule). */
export interface Actor {
  name: string;
  scopes: readonly string[];
  requestId: string | null;
}

/** Who does an admin action a service carries out, for the DONE row it writes in its transaction. */
export interface ActedBy {
  actor: Actor;
  note?: string | null;
}

/**
 * The DONE row of an admin action, in the action's transaction; nothing when no admin asked for it
 * (`by` absent: a schedule, the start-up). `after` is only read when a row is written.
 */
export async function recordDone(tx: Queryable, by: ActedBy | undefined, action: AuditAction, target: string, after: () => unknown): Promise<void> {
  if (!by) return;
  await record(tx, { actor: by.actor, action, target, note: by.note ?? null, after: await after() });
}

export interface AuditRecord {
  actor: Actor;
  action: AuditAction;
  target: string | null;
  /** Default DONE. */
  outcome?: AuditOutcome;
  note?: string | null;
  before?: unknown;
  after?: unknown;
}

/** One row as the API shows it (`GET /admin/audit`). */
export type AuditEntry = AuditContent;

const AUDIT_LOCK = 0x4145_4f05;
const NOTE_MAX = 1000;

/** Notes are free text from a client: printable, bounded. */
export function cleanNote(note: unknown): string | null {
  if (typeof note !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const text = note.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text === '' ? null : text.slice(0, NOTE_MAX);
}

/** Appends one row in the caller's transaction `tx` (see the top of this file). */
export async function record(tx: Queryable, entry: AuditRecord, now: () => Date = () => new Date()): Promise<AuditEntry> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const last = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const prevHash = last[0]?.hash ?? GENESIS_HASH;
  const [{ id }] = (await tx.query<{ id: number }>(`SELECT nextval('audit_log_id_seq')::float8 AS id`)) as [{ id: number }];
  const content: AuditContent = {
    id,
    at: now().toISOString(),
    actor: entry.actor.name,
    scopes: [...entry.actor.scopes],
    action: entry.action,
    target: entry.target === null ? null : entry.target.slice(0, 200),
    outcome: entry.outcome ?? 'DONE',
    note: cleanNote(entry.note),
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: entry.actor.requestId,
  };
  await tx.query(
    `INSERT INTO audit_log (id, at, actor, scopes, action, target, outcome, note, before, after, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      id,
      content.at,
      content.actor,
      JSON.stringify(content.scopes),
      content.action,
      content.target,
      content.outcome,
      content.note,
      content.before === null ? null : JSON.stringify(content.before),
      content.after === null ? null : JSON.stringify(content.after),
      content.requestId,
      prevHash,
      rowHash(prevHash, content),
    ],
  );
  return content;
}

/** A row in a transaction of its own: refusals and failures, where nothing else changes. */
export function recordAlone(db: Db, entry: AuditRecord): Promise<AuditEntry> {
  return db.transaction((tx) => record(tx, entry));
}

// Aliased to the chain's own field names: a row reads back as a ChainedRow.
const COLUMNS = `id::float8 AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor, scopes, action,
  target, outcome, note, before, after, request_id AS "requestId", prev_hash AS "prevHash", hash`;

type AuditRow = ChainedRow & Record<string, unknown>;

export interface AuditFilter {
  actor?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  /** Inclusive lower bound on `at`, ISO instant. */
  from?: string;
  /** Exclusive upper bound on `at`, ISO instant. */
  to?: string;
  /** Only rows older than this id (keyset paging). */
  before?: number;
  limit: number;
}

/** Newest first; `nextCursor` is the id to page on from, null on the last page. */
export async function list(q: Queryable, f: AuditFilter): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  const rows = await q.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_log
      WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR outcome = $3)
        AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5) AND ($6::bigint IS NULL OR id < $6)
      ORDER BY id DESC LIMIT $7`,
    [f.actor ?? null, f.action ?? null, f.outcome ?? null, f.from ?? null, f.to ?? null, f.before ?? null, f.limit + 1],
  );
  const page = rows.slice(0, f.limit).map((r) => {
    const { prevHash, hash, ...entry } = r;
    void prevHash;
    void hash;
    return entry;
  });
  return { entries: page, nextCursor: rows.length > f.limit ? String(page.at(-1)!.id) : null };
}

export type VerifyResult = { ok: true; rows: number } | ({ ok: false; rows: number } & BrokenLink);

/** Walks the whole chain, oldest first, in pages; stops at the first broken link. */
export async function verify(q: Queryable, pageSize = 1000): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let lastId = -1;
  let count = 0;
  for (;;) {
    const rows = await q.query<AuditRow>(`SELECT ${COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`, [lastId, pageSize]);
    if (rows.length === 0) return { ok: true, rows: count };
    const broken = firstBrokenLink(rows, prevHash);
    if (broken) return { ok: false, rows: count + rows.findIndex((r) => r.id === broken.id), ...broken };
    count += rows.length;
    prevHash = rows.at(-1)!.hash;
    lastId = rows.at(-1)!.id;
  }
}
