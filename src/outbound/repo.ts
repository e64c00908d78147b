// SQL for outbound batches and their evidence (transitions, attempts, downloads, receipts).
import type { Queryable } from '../store/db.js';
import type { BatchCounts, BatchKind } from './plan.js';
import type { RecordProblem } from '../domestic/types.js';

export type BatchState =
  | 'BUILT' | 'PENDING_APPROVAL' | 'SENDING' | 'RETRY_WAIT' | 'DELIVERED' | 'ACKNOWLEDGED' | 'REJECTED_BY_PARTNER' | 'RECEIPT_MISMATCH'
  | 'RECEIPT_OVERDUE' | 'DEAD_LETTER' | 'FAILED' | 'SUPERSEDED' | 'NO_CHANGE' | 'REJECTED';

/** Not yet delivered: a new FULL supersedes these. */
export const UNDELIVERED: readonly BatchState[] = ['BUILT', 'PENDING_APPROVAL', 'SENDING', 'RETRY_WAIT'];
/** After these the next message to the partner is a FULL (contract 9.3). */
export const BREAKS_CHAIN: readonly BatchState[] = ['DEAD_LETTER', 'FAILED', 'REJECTED', 'REJECTED_BY_PARTNER'];

export interface BatchRow {
  id: string;
  partner: string;
  sequence: number | null;
  previousSequence: number | null;
  kind: BatchKind;
  format: 'json' | 'xml';
  contentType: string;
  state: BatchState;
  trigger: string;
  builtAt: string;
  generatedAt: string;
  contentSha256: string | null;
  signer: { subject: string; sha256Fingerprint: string } | null;
  counts: BatchCounts;
  problems: RecordProblem[];
  attemptCount: number;
  firstAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
  receipt: Record<string, unknown> | null;
  partnerAnswer: string | null;
}

const ts = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `id::text AS id, partner, sequence::float8 AS sequence, previous_sequence::float8 AS previous_sequence, kind, format, content_type, state, trigger,
  ${ts('built_at')} AS built_at, ${ts('generated_at')} AS generated_at, content_sha256, signer, counts, problems, attempt_count,
  ${ts('first_attempt_at')} AS first_attempt_at, ${ts('next_attempt_at')} AS next_attempt_at, ${ts('delivered_at')} AS delivered_at,
  ${ts('acknowledged_at')} AS acknowledged_at, receipt, partner_answer`;

type Raw = Record<string, unknown>;
const toBatch = (r: Raw): BatchRow => ({
  id: r.id as string,
  partner: r.partner as string,
  sequence: r.sequence as number | null,
  previousSequence: r.previous_sequence as number | null,
  kind: r.kind as BatchKind,
  format: r.format as 'json' | 'xml',
  contentType: r.content_type as string,
  state: r.state as BatchState,
  trigger: r.trigger as string,
  builtAt: r.built_at as string,
  generatedAt: r.generated_at as string,
  contentSha256: r.content_sha256 as string | null,
  signer: r.signer as BatchRow['signer'],
  counts: r.counts as BatchCounts,
  problems: (r.problems as RecordProblem[] | null) ?? [],
  attemptCount: r.attempt_count as number,
  firstAttemptAt: r.first_attempt_at as string | null,
  nextAttemptAt: r.next_attempt_at as string | null,
  deliveredAt: r.delivered_at as string | null,
  acknowledgedAt: r.acknowledged_at as string | null,
  receipt: r.receipt as BatchRow['receipt'],
  partnerAnswer: r.partner_answer as string | null,
});

export type NewBatch = Pick<BatchRow, 'id' | 'partner' | 'sequence' | 'previousSequence' | 'kind' | 'format' | 'contentType' | 'state' | 'trigger' | 'contentSha256' | 'signer' | 'counts'> & {
  builtAt: Date;
  generatedAt: Date;
  /** The message bytes, Brotli-compressed (body.ts). */
  bodyBrotli: Buffer | null;
  signature: Buffer | null;
  problems: readonly RecordProblem[];
};

export async function insertBatch(tx: Queryable, b: NewBatch): Promise<void> {
  // Bytes as base64 text decoded in SQL: PGlite writes a Buffer parameter as hex digits made in JS.
  await tx.query(
    `INSERT INTO outbound_batches (id, partner, sequence, previous_sequence, kind, format, content_type, state, trigger, built_at, generated_at,
       content_sha256, body_brotli, signature, signer, counts, problems)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, decode($13, 'base64'), decode($14, 'base64'), $15, $16, $17)`,
    [
      b.id, b.partner, b.sequence, b.previousSequence, b.kind, b.format, b.contentType, b.state, b.trigger, b.builtAt.toISOString(), b.generatedAt.toISOString(),
      b.contentSha256, b.bodyBrotli?.toString('base64') ?? null, b.signature?.toString('base64') ?? null, b.signer === null ? null : JSON.stringify(b.signer),
      JSON.stringify(b.counts), JSON.stringify(b.problems),
    ],
  );
  await addTransition(tx, b.id, b.state, b.builtAt);
}

export async function addTransition(q: Queryable, id: string, state: BatchState, at = new Date(), note: string | null = null): Promise<void> {
  await q.query('INSERT INTO outbound_transitions (batch_id, state, at, note) VALUES ($1, $2, $3, $4)', [id, state, at.toISOString(), note]);
}

/** Moves a batch to `state` (only from one of `from`, else returns false) and records the transition. */
export async function transition(
  q: Queryable,
  id: string,
  from: readonly BatchState[],
  state: BatchState,
  set: Record<string, unknown> = {},
  note: string | null = null,
): Promise<boolean> {
  const cols = Object.keys(set);
  const assignments = cols.map((c, i) => `${c} = $${i + 4}`).join(', ');
  const rows = await q.query(
    `UPDATE outbound_batches SET state = $2${assignments ? `, ${assignments}` : ''} WHERE id = $1 AND state = ANY($3::text[]) RETURNING id`,
    [id, state, from, ...cols.map((c) => set[c])],
  );
  if (rows.length === 0) return false;
  await addTransition(q, id, state, new Date(), note);
  return true;
}

export async function getBatchRow(q: Queryable, id: string): Promise<BatchRow | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const rows = await q.query(`SELECT ${COLUMNS} FROM outbound_batches WHERE id = $1`, [id]);
  return rows[0] ? toBatch(rows[0]) : null;
}

export async function batchBySequence(q: Queryable, partner: string, sequence: number): Promise<BatchRow | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM outbound_batches WHERE partner = $1 AND sequence = $2`, [partner, sequence]);
  return rows[0] ? toBatch(rows[0]) : null;
}

/** The newest batch that used a sequence (the one the next builds on). */
export async function lastSequenced(q: Queryable, partner: string): Promise<BatchRow | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM outbound_batches WHERE partner = $1 AND sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1`, [partner]);
  return rows[0] ? toBatch(rows[0]) : null;
}

/** The newest batch the partner really got (delivered, acknowledged or with a receipt). */
export async function lastReceived(q: Queryable, partner: string): Promise<{ id: string; sequence: number } | null> {
  const rows = await q.query<{ id: string; sequence: number }>(
    `SELECT id::text AS id, sequence::float8 AS sequence FROM outbound_batches WHERE partner = $1 AND state = ANY($2::text[]) ORDER BY sequence DESC LIMIT 1`,
    [partner, ['DELIVERED', 'ACKNOWLEDGED', 'RECEIPT_OVERDUE', 'RECEIPT_MISMATCH']],
  );
  return rows[0] ?? null;
}

export async function lastFullBuiltAt(q: Queryable, partner: string): Promise<number | null> {
  const rows = await q.query<{ at: number | null }>(
    `SELECT (extract(epoch FROM max(built_at)) * 1000)::float8 AS at FROM outbound_batches WHERE partner = $1 AND kind = 'FULL' AND sequence IS NOT NULL AND state <> ALL($2::text[])`,
    [partner, [...BREAKS_CHAIN, 'SUPERSEDED']],
  );
  return rows[0]?.at ?? null;
}

/**
 * A batch that ended for good without reaching the partner (FAILED, DEAD_LETTER) or that the partner
 * rejected is a base the partner does not hold: the DELTAs built on it, up to the next FULL, must not
 * be sent. They end FAILED too, so the next batch is a FULL (contract 9.3). Returns how many.
 */
export async function failDeltasBuiltOn(tx: Queryable, partner: string, sequence: number): Promise<number> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE outbound_batches SET state = 'FAILED', next_attempt_at = NULL
      WHERE partner = $1 AND kind = 'DELTA' AND sequence > $2 AND state = ANY($3::text[])
        AND NOT EXISTS (SELECT 1 FROM outbound_batches f WHERE f.partner = $1 AND f.kind = 'FULL' AND f.sequence > $2 AND f.sequence < outbound_batches.sequence)
      RETURNING id::text AS id`,
    [partner, sequence, UNDELIVERED],
  );
  for (const r of rows) await addTransition(tx, r.id, 'FAILED', new Date(), `not sent: the message it builds on, sequence ${sequence}, did not reach the partner`);
  return rows.length;
}

export async function supersedeBefore(tx: Queryable, partner: string, sequence: number): Promise<void> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE outbound_batches SET state = 'SUPERSEDED', next_attempt_at = NULL WHERE partner = $1 AND sequence < $2 AND state = ANY($3::text[]) RETURNING id::text AS id`,
    [partner, sequence, UNDELIVERED],
  );
  for (const r of rows) await addTransition(tx, r.id, 'SUPERSEDED');
}

/** The stored message bytes of batches, in the order asked (compressed ones as stored; body.ts reads them). */
export async function storedBodies(q: Queryable, where: string, params: readonly unknown[]): Promise<StoredBody[]> {
  return q.query<StoredBody & Record<string, unknown>>(
    `SELECT id::text AS id, kind, format, encode(body_brotli, 'base64') AS brotli, encode(body_gzip, 'base64') AS gzip, encode(body, 'base64') AS plain, encode(signature, 'base64') AS signature
       FROM outbound_batches WHERE ${where}`,
    params,
  );
}

/** One batch's message as stored: base64 of the Brotli bytes (since migration 013), of the gzip ones (010), or of the plain ones (before). */
export interface StoredBody {
  id: string;
  kind: BatchKind;
  format: 'json' | 'xml';
  brotli: string | null;
  gzip: string | null;
  plain: string | null;
  signature: string | null;
}

/** The first batch of a partner waiting to be pushed (sequence order: a later one waits behind it). */
export async function headOfQueue(q: Queryable, partner: string): Promise<BatchRow | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM outbound_batches WHERE partner = $1 AND state = ANY($2::text[]) AND sequence IS NOT NULL ORDER BY sequence LIMIT 1`,
    [partner, ['BUILT', 'SENDING', 'RETRY_WAIT', 'PENDING_APPROVAL']],
  );
  return rows[0] ? toBatch(rows[0]) : null;
}

export async function listBatches(q: Queryable, f: { partner?: string; state?: string; limit: number; before?: { builtAt: string; id: string } }): Promise<BatchRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.partner) where.push(`partner = $${params.push(f.partner)}`);
  if (f.state) where.push(`state = $${params.push(f.state)}`);
  if (f.before) where.push(`(built_at, id) < ($${params.push(f.before.builtAt)}::timestamptz, $${params.push(f.before.id)}::uuid)`);
  params.push(f.limit);
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM outbound_batches ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY built_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toBatch);
}

export async function pullable(q: Queryable, partner: string, after: number, limit: number): Promise<BatchRow[]> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM outbound_batches WHERE partner = $1 AND sequence > $2 AND content_sha256 IS NOT NULL AND state <> ALL($3::text[]) ORDER BY sequence LIMIT $4`,
    [partner, after, ['PENDING_APPROVAL', 'REJECTED', 'SUPERSEDED'], limit],
  );
  return rows.map(toBatch);
}

export async function latestFull(q: Queryable, partner: string): Promise<BatchRow | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM outbound_batches WHERE partner = $1 AND kind = 'FULL' AND content_sha256 IS NOT NULL AND state <> ALL($2::text[]) ORDER BY sequence DESC LIMIT 1`,
    [partner, ['PENDING_APPROVAL', 'REJECTED', 'SUPERSEDED']],
  );
  return rows[0] ? toBatch(rows[0]) : null;
}

export async function insertAttempt(q: Queryable, a: { batchId: string; at: Date; httpStatus: number | null; error: string | null; durationMs: number; answer: string | null }): Promise<void> {
  await q.query('INSERT INTO outbound_attempts (batch_id, at, http_status, error, duration_ms, answer) VALUES ($1, $2, $3, $4, $5, $6)', [
    a.batchId, a.at.toISOString(), a.httpStatus, a.error, Math.round(a.durationMs), a.answer,
  ]);
}

export async function insertDownload(q: Queryable, d: { batchId: string; actor: string; sequence: number; sha256: string; bytes: number }): Promise<void> {
  await q.query('INSERT INTO outbound_downloads (batch_id, actor, at, sequence, sha256, bytes) VALUES ($1, $2, now(), $3, $4, $5)', [
    d.batchId, d.actor, d.sequence, d.sha256, d.bytes,
  ]);
}

export async function insertReceipt(
  q: Queryable,
  r: { partner: string; batchId: string | null; body: Buffer; signature: Buffer | null; verified: boolean; error: string | null; signer: unknown; receipt: unknown },
): Promise<void> {
  await q.query(
    `INSERT INTO outbound_receipts (partner, batch_id, at, body, signature, verified, error, signer, receipt)
     VALUES ($1, $2, now(), decode($3, 'base64'), decode($4, 'base64'), $5, $6, $7, $8)`,
    [r.partner, r.batchId, r.body.toString('base64'), r.signature?.toString('base64') ?? null, r.verified, r.error,
      r.signer === null ? null : JSON.stringify(r.signer), r.receipt === null ? null : JSON.stringify(r.receipt)],
  );
}

/** The evidence lists of one batch, for GET /v1/outbound/{id}. */
export async function batchEvidence(q: Queryable, id: string) {
  const attempts = await q.query(
    `SELECT ${ts('at')} AS at, http_status AS "httpStatus", error, duration_ms AS "durationMs" FROM outbound_attempts WHERE batch_id = $1 ORDER BY id`,
    [id],
  );
  const downloads = await q.query(
    `SELECT ${ts('at')} AS at, actor, sequence::float8 AS sequence, sha256, bytes FROM outbound_downloads WHERE batch_id = $1 ORDER BY id`,
    [id],
  );
  const transitions = await q.query(`SELECT state, ${ts('at')} AS at FROM outbound_transitions WHERE batch_id = $1 ORDER BY id`, [id]);
  const receipts = await q.query(
    `SELECT ${ts('at')} AS at, verified, error, signer, receipt FROM outbound_receipts WHERE batch_id = $1 ORDER BY id`,
    [id],
  );
  return { attempts, downloads, transitions, receipts };
}
