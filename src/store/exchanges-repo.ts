// SQL for exchange runs, stored messages and partner state.
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { ListKind } from '../domain/types.js';
import type { ErrorCode } from '../errors.js';
import type { Counts, Direction, ExchangeRun, Outcome, RunProblem, Signer, Trigger } from '../exchange/types.js';
import type { RevocationRecord } from '../exchange/revocation.js';
import type { Db, Queryable } from './db.js';

const gzipAsync = promisify(gzip);
const PAYLOAD_PART = 1 << 20;
const gunzipAsync = promisify(gunzip);

const ISO = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const RUN_COLUMNS = `id::text AS id, partner, direction, trigger, ${ISO('started_at')} AS started_at, ${ISO('finished_at')} AS finished_at,
  outcome, reason, reason_message, sequence::float8 AS sequence, kind, ${ISO('generated_at')} AS generated_at, payload_sha256,
  payload_bytes::float8 AS payload_bytes, signer, counts, problems, ${ISO('applied_at')} AS applied_at, review, revocation, actor`;

interface RunRow {
  id: string;
  partner: string;
  direction: Direction;
  trigger: Trigger;
  started_at: string;
  finished_at: string | null;
  outcome: Outcome | null;
  reason: ErrorCode | null;
  reason_message: string | null;
  sequence: number | null;
  kind: ListKind | null;
  generated_at: string | null;
  payload_sha256: string | null;
  payload_bytes: number | null;
  signer: Signer | null;
  counts: Counts | null;
  problems: RunProblem[] | null;
  applied_at: string | null;
  review: ExchangeRun['review'];
  revocation: RevocationRecord | null;
  actor: string | null;
  [key: string]: unknown;
}

function toRun(r: RunRow): ExchangeRun {
  return {
    id: r.id,
    partner: r.partner,
    direction: r.direction,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    reason: r.reason,
    reasonMessage: r.reason_message,
    sequence: r.sequence,
    kind: r.kind,
    generatedAt: r.generated_at,
    payloadSha256: r.payload_sha256,
    payloadBytes: r.payload_bytes,
    signer: r.signer,
    // jsonb keeps keys in its own order: restore the contract's.
    counts: r.counts && {
      received: r.counts.received,
      added: r.counts.added,
      changed: r.counts.changed,
      removed: r.counts.removed,
      unchanged: r.counts.unchanged,
      invalid: r.counts.invalid,
    },
    problems: r.problems ?? [],
    appliedAt: r.applied_at,
    review: r.review,
    revocation: r.revocation,
    warnings: r.revocation?.warning ? [r.revocation.warning] : [],
    actor: r.actor,
  };
}

export interface NewRun {
  id: string;
  partner: string;
  direction: Direction;
  trigger: Trigger;
  startedAt: Date;
  payloadSha256: string | null;
  payloadBytes: number | null;
  /** Who started it, when a person did (activation runs). */
  actor?: string | null;
}

/**
 * Records a run as started and, when there is one, the exact message and signature — durably, before
 * any check. Bytes travel as base64 text: PGlite takes a 46 MB bytea parameter ten times slower.
 */
export async function insertRun(db: Db, run: NewRun, message: { body: Buffer; signature: Buffer | null } | null): Promise<void> {
  // Compressed on libuv's thread pool: the event loop keeps answering lookups meanwhile.
  const gzipped = message ? await gzipAsync(message.body) : null;
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO exchanges (id, partner, direction, trigger, started_at, payload_sha256, payload_bytes, actor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [run.id, run.partner, run.direction, run.trigger, run.startedAt.toISOString(), run.payloadSha256, run.payloadBytes, run.actor ?? null],
    );
    if (message && gzipped) {
      // In parts of 1 MB: the embedded engine runs each statement on the event loop's thread.
      const inserted = await tx.query(
        `INSERT INTO payloads (sha256, bytes, body_gzip) VALUES ($1, $2, decode($3, 'base64')) ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
        [run.payloadSha256, message.body.length, gzipped.subarray(0, PAYLOAD_PART).toString('base64')],
      );
      for (let at = PAYLOAD_PART; inserted.length > 0 && at < gzipped.length; at += PAYLOAD_PART) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        await tx.query(`UPDATE payloads SET body_gzip = body_gzip || decode($2, 'base64') WHERE sha256 = $1`, [
          run.payloadSha256,
          gzipped.subarray(at, at + PAYLOAD_PART).toString('base64'),
        ]);
      }
      await tx.query(`INSERT INTO exchange_messages (exchange_id, payload_sha256, signature) VALUES ($1, $2, decode($3, 'base64'))`, [
        run.id,
        run.payloadSha256,
        message.signature?.toString('base64') ?? null,
      ]);
    }
  });
}

export interface RunResult {
  outcome: Outcome;
  reason: ErrorCode | null;
  reasonMessage: string | null;
  sequence: number | null;
  kind: ListKind | null;
  generatedAt: string | null;
  signer: Signer | null;
  counts: Counts | null;
  problems: readonly RunProblem[];
  appliedAt: Date | null;
  revocation: RevocationRecord | null;
}

export async function finishRun(q: Queryable, id: string, r: RunResult, finishedAt = new Date(), opts: { onlyIfRunning?: boolean } = {}): Promise<void> {
  await q.query(
    `UPDATE exchanges SET finished_at = $2, outcome = $3, reason = $4, reason_message = $5, sequence = $6, kind = $7,
       generated_at = $8, signer = $9, counts = $10, problems = $11, applied_at = $12, revocation = $14
     WHERE id = $1 AND (NOT $13::boolean OR outcome IS NULL)`,
    [
      id,
      finishedAt.toISOString(),
      r.outcome,
      r.reason,
      r.reasonMessage,
      r.sequence,
      r.kind,
      r.generatedAt,
      r.signer === null ? null : JSON.stringify(r.signer),
      r.counts === null ? null : JSON.stringify(r.counts),
      JSON.stringify(r.problems),
      r.appliedAt?.toISOString() ?? null,
      opts.onlyIfRunning === true,
      r.revocation === null ? null : JSON.stringify(r.revocation),
    ],
  );
}

export async function getRun(q: Queryable, id: string): Promise<ExchangeRun | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const rows = await q.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM exchanges WHERE id = $1`, [id]);
  return rows[0] ? toRun(rows[0]) : null;
}

export interface RunFilter {
  partner?: string;
  direction?: Direction;
  outcome?: Outcome;
  reason?: string;
  trigger?: Trigger;
  /** Started at or after / before these instants (ISO). */
  from?: string;
  to?: string;
  /** Keyset cursor: runs strictly older than this (start in epoch microseconds, then id). */
  before?: { startedAtMicros: string; id: string };
  limit: number;
}

/** Runs newest first, with the cursor of the last one (for the next page) when more may follow. */
export async function listRuns(db: Db, filter: RunFilter): Promise<{ runs: ExchangeRun[]; last: { startedAtMicros: string; id: string } | null }> {
  const rows = await db.query<RunRow & { started_micros: string }>(
    `SELECT ${RUN_COLUMNS}, (extract(epoch FROM started_at) * 1000000)::bigint::text AS started_micros FROM exchanges
      WHERE ($1::text IS NULL OR partner = $1) AND ($2::text IS NULL OR direction = $2)
        AND ($3::text IS NULL OR outcome = $3) AND ($4::text IS NULL OR reason = $4) AND ($5::text IS NULL OR trigger = $5)
        AND ($6::timestamptz IS NULL OR started_at >= $6) AND ($7::timestamptz IS NULL OR started_at < $7)
        AND ($8::text IS NULL OR (started_at, id) < ('epoch'::timestamptz + $8::bigint * interval '1 microsecond', $9::uuid))
      ORDER BY started_at DESC, id DESC LIMIT $10`,
    [
      filter.partner ?? null,
      filter.direction ?? null,
      filter.outcome ?? null,
      filter.reason ?? null,
      filter.trigger ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.before?.startedAtMicros ?? null,
      filter.before?.id ?? null,
      filter.limit,
    ],
  );
  const lastRow = rows.length === filter.limit ? rows[rows.length - 1] : undefined;
  return { runs: rows.map(toRun), last: lastRow ? { startedAtMicros: lastRow.started_micros, id: lastRow.id } : null };
}

/** The message of a run exactly as received (for an approval, or an audit). */
export async function getMessage(db: Db, id: string): Promise<{ body: Buffer; signature: Buffer | null } | null> {
  const rows = await db.query<{ body: string; signature: string | null }>(
    `SELECT encode(p.body_gzip, 'base64') AS body, encode(m.signature, 'base64') AS signature
       FROM exchange_messages m JOIN payloads p ON p.sha256 = m.payload_sha256 WHERE m.exchange_id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  return { body: await gunzipAsync(Buffer.from(row.body, 'base64')), signature: row.signature === null ? null : Buffer.from(row.signature, 'base64') };
}

/** The message of the partner's last applied list, as stored (an activation reads it again). */
export async function lastAppliedMessage(db: Db, partner: string): Promise<{ sha256: string; message: { body: Buffer; signature: Buffer | null } } | null> {
  const rows = await db.query<{ id: string | null; sha256: string | null }>(
    'SELECT last_exchange_id::text AS id, last_sha256 AS sha256 FROM partner_state WHERE partner = $1',
    [partner],
  );
  const row = rows[0];
  if (!row?.id || !row.sha256) return null;
  const message = await getMessage(db, row.id);
  return message ? { sha256: row.sha256, message } : null;
}

export async function setReview(q: Queryable, id: string, review: NonNullable<ExchangeRun['review']>): Promise<void> {
  await q.query('UPDATE exchanges SET review = $2 WHERE id = $1', [id, JSON.stringify(review)]);
}

/** Runs left without an outcome by a process that died; they end FAILED/INTERRUPTED. */
export async function failInterruptedRuns(db: Db, partner: string): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `UPDATE exchanges SET outcome = 'FAILED', reason = 'INTERRUPTED', finished_at = now(),
            reason_message = 'The gateway stopped before the run finished; nothing of it was applied.'
      WHERE partner = $1 AND outcome IS NULL RETURNING id::text AS id`,
    [partner],
  );
  return rows.length;
}

export interface PartnerState {
  partner: string;
  lastSequence: number | null;
  lastSha256: string | null;
  lastExchangeId: string | null;
  lastAppliedAt: string | null;
  lastGeneratedAt: string | null;
  lastSuccessAt: string | null;
  operatorCount: number;
}

const STATE_COLUMNS = `partner, last_sequence::float8 AS last_sequence, last_sha256, last_exchange_id::text AS last_exchange_id,
  ${ISO('last_applied_at')} AS last_applied_at, ${ISO('last_generated_at')} AS last_generated_at,
  ${ISO('last_success_at')} AS last_success_at, operator_count`;

interface StateRow {
  partner: string;
  last_sequence: number | null;
  last_sha256: string | null;
  last_exchange_id: string | null;
  last_applied_at: string | null;
  last_generated_at: string | null;
  last_success_at: string | null;
  operator_count: number;
  [key: string]: unknown;
}

const toState = (r: StateRow): PartnerState => ({
  partner: r.partner,
  lastSequence: r.last_sequence,
  lastSha256: r.last_sha256,
  lastExchangeId: r.last_exchange_id,
  lastAppliedAt: r.last_applied_at,
  lastGeneratedAt: r.last_generated_at,
  lastSuccessAt: r.last_success_at,
  operatorCount: r.operator_count,
});

/** Locks the partner's row for the rest of the transaction (creating it first), so publishes never interleave. */
export async function lockPartnerState(tx: Queryable, partner: string): Promise<PartnerState> {
  await tx.query('INSERT INTO partner_state (partner) VALUES ($1) ON CONFLICT (partner) DO NOTHING', [partner]);
  const rows = await tx.query<StateRow>(`SELECT ${STATE_COLUMNS} FROM partner_state WHERE partner = $1 FOR UPDATE`, [partner]);
  return toState(rows[0]!);
}

export async function listPartnerStates(q: Queryable): Promise<PartnerState[]> {
  return (await q.query<StateRow>(`SELECT ${STATE_COLUMNS} FROM partner_state ORDER BY partner`)).map(toState);
}

export async function markApplied(
  tx: Queryable,
  s: { partner: string; sequence: number; sha256: string; exchangeId: string; appliedAt: Date; generatedAt: string; operatorCount: number },
): Promise<void> {
  await tx.query(
    `UPDATE partner_state SET last_sequence = $2, last_sha256 = $3, last_exchange_id = $4, last_applied_at = $5,
       last_generated_at = $6, last_success_at = $5, operator_count = $7 WHERE partner = $1`,
    [s.partner, s.sequence, s.sha256, s.exchangeId, s.appliedAt.toISOString(), s.generatedAt, s.operatorCount],
  );
}

/** The database server's clock now (not the transaction's start), to the millisecond. */
export async function databaseNow(q: Queryable): Promise<Date> {
  const rows = await q.query<{ ms: number }>('SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms');
  return new Date(rows[0]!.ms);
}

export async function markConfirmed(tx: Queryable, partner: string, at: Date): Promise<void> {
  await tx.query('UPDATE partner_state SET last_success_at = $2 WHERE partner = $1', [partner, at.toISOString()]);
}

/** The outcome of each partner's newest finished run. */
export async function latestOutcomes(q: Queryable): Promise<Map<string, Outcome>> {
  const rows = await q.query<{ partner: string; outcome: Outcome }>(
    `SELECT DISTINCT ON (partner) partner, outcome FROM exchanges
      WHERE direction = 'inbound' AND outcome IS NOT NULL ORDER BY partner, started_at DESC`,
  );
  return new Map(rows.map((r) => [r.partner, r.outcome]));
}
